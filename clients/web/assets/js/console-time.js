// The console's clock, as the course has it: the next scheduled clock jump (with "Skip this
// jump") and each team's local time where a country keeps another time.

import { run } from "./app.js";
import { $, setText } from "./dom.js";
import { countryIn, hasLocalTimes, offsetText } from "./localtime.js";
import { formatSim } from "./model.js";

export function nextJump(model) {
  return (model.exercise.jumps ?? []).find((jump) => !jump.done) ?? null;
}

export function renderClockSchedule(ctx, sim, control) {
  const { model } = ctx;
  const jump = nextJump(model);
  const box = $("#next-jump");
  box.hidden = !jump;
  if (jump) {
    setText($("#next-jump-text"), `Next scheduled jump: ${formatSim(jump.at)} → ${formatSim(jump.to)} (${jump.reason})`);
    const skip = $("#skip-jump");
    skip.dataset.jump = jump.id;
    skip.disabled = !control || model.exercise.status === "ended";
  }
  const local = $("#local-times");
  local.hidden = !hasLocalTimes(model);
  if (!local.hidden) {
    const countries = [...new Set(model.teams.map((team) => team.country))];
    setText(
      local,
      `Local times: ${countries
        .map((id) => countryIn(model, id))
        .filter(Boolean)
        .map((c) => `${c.id} ${formatSim(sim + (c.time_offset ?? 0)).slice(3)} (${offsetText(c.time_offset ?? 0)})`)
        .join(" · ")}`,
    );
  }
}

export function wireClockSchedule(ctx) {
  $("#skip-jump").addEventListener("click", (event) => {
    const jump = event.target.dataset.jump;
    if (jump) run(ctx, "clock.skip_jump", { jump }, $("#control-error"));
  });
}

