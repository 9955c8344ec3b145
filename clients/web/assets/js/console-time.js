// The console's clock, as the course has it: the next scheduled clock jump (with "Skip this
// jump") and each team's local time where a country keeps another time.

import { run } from "./app.js";
import { $, setText } from "./dom.js";
import { localTimesText } from "./localtime.js";
import { formatSim } from "./model.js";

/** The next scheduled jump still to be made (one the clock has passed beyond is not). */
export function nextJump(model, sim) {
  return (model.exercise.jumps ?? []).find((jump) => !jump.done && jump.to > sim) ?? null;
}

export function renderClockSchedule(ctx, sim, control) {
  const { model } = ctx;
  const jump = nextJump(model, sim);
  const box = $("#next-jump");
  box.hidden = !jump;
  if (jump) {
    setText($("#next-jump-text"), `Next scheduled jump: ${formatSim(jump.at)} → ${formatSim(jump.to)} (${jump.reason})`);
    const skip = $("#skip-jump");
    skip.dataset.jump = jump.id;
    skip.disabled = !control || model.exercise.status === "ended";
  }
  const local = $("#local-times");
  const text = localTimesText(model, sim);
  local.hidden = !text;
  setText(local, text);
}

export function wireClockSchedule(ctx) {
  $("#skip-jump").addEventListener("click", (event) => {
    const jump = event.target.dataset.jump;
    if (jump) run(ctx, "clock.skip_jump", { jump }, $("#control-error"));
  });
}

