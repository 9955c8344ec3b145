// The control console: lifecycle and clock controls, the roster with presence and join codes,
// announcements, and a live log. Panels for the MSEL and the SimCell queue slot in here later.

import { run, startPage } from "./app.js";
import { describe, kindGroup } from "./describe.js";
import { $, el, replaceIfChanged, setText, syncList, wallTime } from "./dom.js";
import { isOnline, parseSim, roleName, teamName } from "./model.js";

const STAFF_ROLES = ["director", "controller", "simcell", "mentor", "observer"];
const LIFECYCLE = {
  "exercise.ready": { from: ["draft"], who: ["director", "controller"] },
  "exercise.start": { from: ["ready"], who: ["director", "controller"] },
  "exercise.pause": { from: ["running"], who: ["director", "controller"] },
  "exercise.resume": { from: ["paused"], who: ["director", "controller"] },
  "exercise.end": { from: ["ready", "running", "paused"], who: ["director"] },
};
const issued = []; // codes issued in this console: shown once, never stored

function isControl(model) {
  return model.me.role === "director" || model.me.role === "controller";
}

function renderControls(ctx) {
  const { model } = ctx;
  const status = model.exercise.status;
  for (const button of document.querySelectorAll(".lifecycle button")) {
    const rule = LIFECYCLE[button.dataset.command];
    button.disabled = !rule.from.includes(status) || !rule.who.includes(model.me.role);
  }
  const control = isControl(model);
  for (const node of document.querySelectorAll("#speed-form input, #speed-form button, #jump-form input, #jump-form button")) {
    node.disabled = !control || status === "ended";
  }
  for (const node of document.querySelectorAll("#add-form input, #add-form select, #add-form button, #announce-form button")) {
    node.disabled = !control;
  }
  const hint = !control
    ? "SimCell follows the exercise here; the director and controllers run it."
    : { draft: "Add participants, then mark the exercise ready.", ready: "Start when everyone is in.", running: "The exercise is running.", paused: "The clock is stopped until you resume.", ended: "The exercise has ended." }[status];
  setText($("#control-hint"), hint ?? "");
  const speed = $("#speed");
  if (document.activeElement !== speed) speed.value = String(model.exercise.clock.speed);
}

function renderRoster(ctx) {
  const { model } = ctx;
  const people = Object.values(model.participants).sort(
    (a, b) => Number(a.staff) - Number(b.staff) || (a.team ?? "").localeCompare(b.team ?? "") || a.name.localeCompare(b.name),
  );
  const online = people.filter(isOnline).length;
  setText($("#online-count"), `${online} of ${people.length} online`);
  const control = isControl(model);
  const signature = JSON.stringify([control, people.map((p) => [p.id, p.name, p.team, p.role, isOnline(p), p.revoked])]);
  replaceIfChanged($("#participants"), signature, () =>
    people.map((p) => {
      const on = isOnline(p);
      return el(
        "tr",
        { dataset: { participant: p.id } },
        el("th", { scope: "row" }, p.name),
        el("td", {}, p.team ? teamName(model, p.team) : "Staff"),
        el("td", {}, roleName(model, p.role)),
        el("td", {}, el("span", { class: `state ${on ? "on" : "off"}` }, el("span", { class: `dot ${on ? "on" : "off"}`, "aria-hidden": "true" }), on ? "online" : "offline")),
        el("td", {}, el("span", { class: `tag ${p.revoked ? "tag-bad" : "tag-ok"}` }, p.revoked ? "revoked" : "active")),
        el(
          "td",
          { class: "actions" },
          control && !p.revoked && p.id !== model.me.participant
            ? el("button", { type: "button", class: "small", "aria-label": `Revoke the join code of ${p.name}`, onclick: () => revoke(ctx, p) }, "Revoke")
            : null,
          control
            ? el("button", { type: "button", class: "small", "aria-label": `Issue a new join code for ${p.name}`, onclick: () => reissue(ctx, p) }, "New code")
            : null,
        ),
      );
    }),
  );
}

async function revoke(ctx, p) {
  if (!window.confirm(`Revoke the join code of ${p.name}? Their open pages close at once.`)) return;
  await run(ctx, "credential.revoke", { participant: p.id }, $("#roster-error"));
}

async function reissue(ctx, p) {
  const result = await run(ctx, "credential.reissue", { participant: p.id }, $("#roster-error"));
  if (result) remember(ctx, { participant: p.id, name: p.name, team: p.team, role: p.role, code: result.code });
}

function remember(ctx, entry) {
  issued.push(entry);
  renderCodes(ctx);
}

function joinLink(code) {
  return `${window.location.origin}/#code=${encodeURIComponent(code)}`;
}

function codeCard(ctx, entry) {
  const { model } = ctx;
  return el(
    "li",
    { class: "code-card", dataset: { participant: entry.participant } },
    el("div", { class: "code-name" }, entry.name),
    el("div", { class: "muted" }, `${entry.team ? teamName(model, entry.team) : "Staff"} · ${roleName(model, entry.role)}`),
    el("div", { class: "code" }, entry.code),
    el("div", { class: "code-link" }, joinLink(entry.code)),
  );
}

function renderCodes(ctx) {
  const list = $("#codes");
  list.replaceChildren(...issued.map((entry) => codeCard(ctx, entry)));
  $("#codes-empty").hidden = issued.length > 0;
  $("#print-codes").disabled = issued.length === 0;
  const sheet = $("#sheet");
  sheet.replaceChildren(
    el("h1", {}, `Join codes · ${ctx.model.exercise.title}`),
    el("p", {}, `Open ${window.location.origin}/ and enter the code, or open the link.`),
    el("ul", { class: "code-cards" }, ...issued.map((entry) => codeCard(ctx, entry))),
  );
}

function renderChoices(ctx) {
  const { model } = ctx;
  const checkbox = (name, value, label) => el("label", {}, el("input", { type: "checkbox", name, value }), ` ${label}`);
  const teams = $("#audience-teams");
  replaceIfChanged(teams, JSON.stringify(model.teams), () => [el("legend", {}, "Teams"), ...model.teams.map((t) => checkbox("team", t.id, t.name))]);
  const roles = $("#audience-roles");
  replaceIfChanged(roles, JSON.stringify(model.roles), () => [el("legend", {}, "Roles"), ...model.roles.map((r) => checkbox("role", r.id, r.name))]);
  replaceIfChanged($("#add-team"), JSON.stringify(model.teams), () => [
    ...model.teams.map((t) => el("option", { value: t.id }, t.name)),
    el("option", { value: "" }, "Staff (no team)"),
  ]);
  const staff = $("#add-team").value === "";
  replaceIfChanged($("#add-role"), JSON.stringify([staff, model.roles]), () =>
    staff
      ? STAFF_ROLES.map((r) => el("option", { value: r }, roleName(model, r)))
      : model.roles.map((r) => el("option", { value: r.id }, r.name)),
  );
}

function renderLog(ctx) {
  const { model } = ctx;
  const entries = model.timeline.slice(-300);
  syncList($("#log"), entries, (e) => `seq-${e.seq}`, (entry) => {
    const { title, detail } = describe(model, entry);
    return el(
      "li",
      { class: `entry kind-${kindGroup(entry.kind)}`, dataset: { seq: entry.seq, kind: entry.kind } },
      el("time", { class: "muted" }, wallTime(entry.at)),
      el("div", { class: "entry-body" }, el("div", { class: "entry-title" }, title), detail ? el("div", { class: "entry-detail" }, detail) : null),
    );
  });
  $("#log-empty").hidden = entries.length > 0;
  const log = $("#log");
  log.scrollTop = log.scrollHeight;
}

function render(ctx) {
  renderControls(ctx);
  renderRoster(ctx);
  renderChoices(ctx);
  renderLog(ctx);
  if (!$("#sheet").firstChild) renderCodes(ctx);
}

const ctx = startPage({ page: "console", render });

if (ctx) {
  for (const button of document.querySelectorAll(".lifecycle button")) {
    button.addEventListener("click", async () => {
      const name = button.dataset.command;
      if (name === "exercise.end" && !window.confirm("End the exercise for everyone? This cannot be undone.")) return;
      await run(ctx, name, {}, $("#control-error"));
    });
  }
  $("#speed-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await run(ctx, "clock.speed", { speed: Number($("#speed").value) }, $("#control-error"));
  });
  $("#jump-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = $("#jump-to").value.trim();
    if (parseSim(to) === null) {
      const box = $("#control-error");
      box.textContent = "Write the time to jump to as D2 08:30.";
      box.hidden = false;
      return;
    }
    if (await run(ctx, "clock.jump", { to }, $("#control-error"))) $("#jump-to").value = "";
  });
  $("#next-morning").addEventListener("click", () => run(ctx, "clock.jump", {}, $("#control-error")));
  $("#add-team").addEventListener("change", () => ctx.render());
  $("#add-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const name = form.elements.name.value.trim();
    const team = form.elements.team.value || null;
    const role = form.elements.role.value;
    const args = team ? { name, team, role } : { name, role };
    const result = await run(ctx, "roster.add", args, $("#roster-error"));
    if (result) {
      remember(ctx, { participant: result.participant, name, team, role, code: result.code });
      form.elements.name.value = "";
    }
  });
  for (const radio of document.querySelectorAll("input[name=audience]")) {
    radio.addEventListener("change", () => {
      const value = document.querySelector("input[name=audience]:checked").value;
      $("#audience-teams").hidden = value !== "teams";
      $("#audience-roles").hidden = value !== "roles";
    });
  }
  $("#announce-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = document.querySelector("input[name=audience]:checked").value;
    const checked = (name) => Array.from(document.querySelectorAll(`input[name=${name}]:checked`), (i) => i.value);
    const audience = kind === "everyone" ? { everyone: true } : kind === "teams" ? { teams: checked("team") } : kind === "roles" ? { roles: checked("role") } : {};
    const error = $("#announce-error");
    if ((kind === "teams" && !audience.teams.length) || (kind === "roles" && !audience.roles.length)) {
      error.textContent = `Choose at least one ${kind === "teams" ? "team" : "role"}.`;
      error.hidden = false;
      return;
    }
    const text = $("#announce-text");
    if (await run(ctx, "announcement.make", { audience, text: text.value }, error)) text.value = "";
  });
  $("#print-codes").addEventListener("click", () => window.print());
}
