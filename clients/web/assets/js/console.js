// The control console: lifecycle and clock controls, the master events list (MSEL) with its
// controls and an ad-hoc inject composer, the SimCell queue with the scenario's proposals, the
// channel with each team, the roster with presence, acknowledgements and join codes,
// announcements, and a live log. At 200 people: the roster searched and filtered
// (console-roster.js), the MSEL's now / next / overdue (console-msel.js), an overview of the
// requests in play (console-requests.js) and a read-only preview of any station (preview.js).

import { run, simNowOf, startPage } from "./app.js";
import { audienceText, describe, kindGroup } from "./describe.js";
import { isLate, renderTiming } from "./console-msel.js";
import { renderOverview } from "./console-requests.js";
import { renderClockSchedule, wireClockSchedule } from "./console-time.js";
import { renderRoster, wireRoster } from "./console-roster.js";
import { renderControlPanel } from "./evaluation_panels.js";
import { $, el, rebuildKeeping, replaceIfChanged, setText, syncList } from "./dom.js";
import { stampOf } from "./clockstamp.js";
import { authorName, formatSim, parseSim, roleName, signedName, teamName } from "./model.js";
import { loadOlderTimeline, loadScenario, renderHistory, wireHistory } from "./history.js";
import { deadlineNode, fieldList, historyList, requestTitle, route, tickCountdowns } from "./panels.js";
import { delayText, instrument, pendingStandIn, proposalFor, RECEIVED, recipients, words } from "./play.js";

const STAFF_ROLES = ["director", "controller", "simcell", "mentor", "observer", "evaluator"];
const LIFECYCLE = {
  "exercise.ready": { from: ["draft"], who: ["director", "controller"] },
  "exercise.start": { from: ["ready"], who: ["director", "controller"] },
  "exercise.pause": { from: ["running"], who: ["director", "controller"] },
  "exercise.resume": { from: ["paused"], who: ["director", "controller"] },
  "exercise.end": { from: ["ready", "running", "paused"], who: ["director"] },
};
const issued = []; // codes issued in this console: shown once, never stored

// Where older items load (history.js): every team's channel with control, and the log.
const CHANNEL = { name: "control", list: "#control-messages", edge: "#control-older", prefixes: ["control:", "prompt:"], label: "Load older messages", scroll: "top" };
const LOG = { name: "timeline", list: "#log", edge: "#log-older", label: "Load older events", scroll: "top" };

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
  renderClockSchedule(ctx, simNowOf(ctx), control);
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

// -- MSEL ----------------------------------------------------------------------------------------

const MSEL_STATUS = { planned: ["Planned", "info"], held: ["Held", "warn"], released: ["Released", "ok"], skipped: ["Skipped", "muted"] };
let editing = null; // the inject whose time and text are being changed

function mselRows(model) {
  return Object.values(model.injects).sort((a, b) => {
    const ta = a.released_at ?? a.at ?? Infinity;
    const tb = b.released_at ?? b.at ?? Infinity;
    return ta - tb || String(a.id).localeCompare(String(b.id), undefined, { numeric: true });
  });
}

function renderMsel(ctx) {
  const { model } = ctx;
  const rows = mselRows(model);
  const live = ["ready", "running", "paused"].includes(model.exercise.status);
  const control = isControl(model) && live;
  const mayRelease = (isControl(model) || model.me.role === "simcell") && live;
  const counts = rows.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  setText($("#msel-count"), Object.entries(counts).map(([k, n]) => `${n} ${MSEL_STATUS[k]?.[0].toLowerCase() ?? k}`).join(" · "));
  const people = Object.values(model.participants).filter((p) => !p.staff).map((p) => [p.id, p.team, p.role]);
  const standIns = rows.map((r) => pendingStandIn(model, r));
  const now = simNowOf(ctx);
  renderTiming(model, now);
  const late = rows.filter((r) => isLate(r, now)).map((r) => r.id);
  const signature = JSON.stringify([rows, people, control, editing, model.exercise.status, standIns, late]);
  rebuildKeeping($("#msel"), signature, () =>
    rows.flatMap((r) => {
      const [label, tone] = MSEL_STATUS[r.status] ?? [r.status, "muted"];
      const open = r.status === "planned" || r.status === "held";
      const who = recipients(model, r);
      const acked = who.filter((p) => r.acknowledged.includes(p.id)).length;
      const when = r.released_at !== null && r.released_at !== undefined ? formatSim(r.released_at) : r.at !== null && r.at !== undefined ? formatSim(r.at) : "on trigger";
      const button = (name, text, cls = "") =>
        el("button", { type: "button", class: `small ${cls}`, "aria-label": `${text} ${r.id}`, onclick: () => mselCommand(ctx, name, { inject: r.id }) }, text);
      const overdue = late.includes(r.id);
      const row = el(
        "tr",
        { id: `msel-${r.id}`, class: overdue ? "late" : null, dataset: { inject: r.id, status: r.status, late: String(overdue) } },
        el(
          "th",
          { scope: "row" },
          el("div", {}, el("span", { class: "inject-id" }, r.id), " ", el("span", { class: "msel-title" }, r.title)),
          el("div", { class: "muted small" }, `${r.sender} · ${words(r.channel)} · to ${audienceText(model, r.audience)}`, r.triggered ? " · on trigger" : "", r.adhoc ? " · ad hoc" : ""),
          standInNote(model, r),
          r.roleplay
            ? el("details", { class: "roleplay small" }, el("summary", {}, "Role-play brief (staff only)"), el("p", { class: "text" }, r.roleplay))
            : null,
        ),
        el("td", { class: "mono" }, when),
        el("td", {}, el("span", { class: `tag tone-${tone}` }, label), overdue ? el("span", { class: "tag tone-bad msel-overdue" }, "Overdue") : null),
        // an inject for staff roles only (`*: mentor`) has no participant to acknowledge it
        el("td", { class: "acks" }, r.status !== "released" ? "—" : who.length ? `${acked} of ${who.length}` : "staff only"),
        el(
          "td",
          { class: "actions" },
          open && mayRelease ? button("inject.release", "Release now", "primary") : null,
          r.status === "planned" && control ? button("inject.hold", "Hold") : null,
          r.status === "held" && control ? button("inject.lift_hold", "Lift hold") : null,
          open && control ? button("inject.skip", "Skip", "danger") : null,
          open && control
            ? el("button", { type: "button", class: "small link", "aria-expanded": String(editing === r.id), "aria-label": `Change ${r.id}`, onclick: () => { editing = editing === r.id ? null : r.id; ctx.render(); } }, editing === r.id ? "Close" : "Change")
            : null,
        ),
      );
      if (editing !== r.id || !open) return [row];
      const edit = el(
        "tr",
        { class: "edit-row", dataset: { edit: r.id } },
        el(
          "td",
          { colspan: 5 },
          el(
            "div",
            { class: "edit-grid" },
            el(
              "div",
              { class: "inline" },
              el("label", { for: `retime-${r.id}` }, "New time"),
              el("input", { id: `retime-${r.id}`, type: "text", placeholder: "D1 09:30", value: r.at !== null && r.at !== undefined ? formatSim(r.at) : "" }),
              el("button", { type: "button", class: "small", onclick: () => retime(ctx, r) }, "Re-time"),
            ),
            el("label", { for: `title-${r.id}` }, "Title"),
            el("input", { id: `title-${r.id}`, type: "text", value: r.title, maxlength: 200 }),
            el("label", { for: `body-${r.id}` }, "Text"),
            el("textarea", { id: `body-${r.id}`, rows: 3, maxlength: 20000 }, r.body),
            el("div", { class: "row" }, el("button", { type: "button", class: "small primary", onclick: () => editText(ctx, r) }, "Save text")),
          ),
        ),
      );
      return [row, edit];
    }),
  );
}

/** A scripted answer for a played team: what it waits for, and when it fires unless the team answers. */
function standInNote(model, r) {
  const pending = pendingStandIn(model, r);
  if (!pending) return null;
  const team = teamName(model, pending.team);
  const text = pending.waiting.length
    ? `Stands in for ${team}: fires ${formatSim(pending.due)} unless ${team} answers ${pending.waiting.join(", ")} (skip to cancel)`
    : `Stands in for ${team}'s answer: fires only if ${team} leaves a request unanswered past its deadline`;
  return el("div", { class: "stand-in small", dataset: { standIn: pending.team, waiting: pending.waiting.join(" ") } }, text);
}

async function mselCommand(ctx, name, args) {
  if (name === "inject.skip" && !window.confirm(`Skip ${args.inject}? It will never be released.`)) return;
  await run(ctx, name, args, $("#msel-error"));
}

async function retime(ctx, r) {
  const at = $(`#${CSS.escape(`retime-${r.id}`)}`).value.trim();
  const box = $("#msel-error");
  if (parseSim(at) === null) {
    box.textContent = "Write the new time as D1 09:30.";
    box.hidden = false;
    return;
  }
  await run(ctx, "inject.retime", { inject: r.id, at }, box);
}

async function editText(ctx, r) {
  const title = $(`#${CSS.escape(`title-${r.id}`)}`).value;
  const body = $(`#${CSS.escape(`body-${r.id}`)}`).value;
  if (await run(ctx, "inject.edit", { inject: r.id, title, body }, $("#msel-error"))) {
    editing = null;
    ctx.render();
  }
}

// -- SimCell ---------------------------------------------------------------------------------------

function renderSimcell(ctx) {
  const { model } = ctx;
  const simNow = simNowOf(ctx);
  const queue = Object.values(model.requests).filter((r) => r.simcell && RECEIVED.has(r.status));
  const answered = Object.values(model.requests).filter((r) => r.simcell && !RECEIVED.has(r.status) && r.status !== "draft" && r.status !== "validated");
  setText($("#simcell-count"), queue.length ? `${queue.length} waiting` : "");
  const may = isControl(model) || model.me.role === "simcell";
  const items = [...queue, ...answered.slice(-5)];
  const signature = JSON.stringify([items, may, Boolean(model.responses)]);
  rebuildKeeping($("#simcell"), signature, () => items.map((r) => simcellCard(ctx, r, may, simNow)));
  $("#simcell-empty").hidden = queue.length > 0;
}

function simcellCard(ctx, r, may, simNow) {
  const { model } = ctx;
  const proposal = proposalFor(model, r);
  const waiting = RECEIVED.has(r.status);
  const value = (what) => $(`#${CSS.escape(`${what}-${r.id}`)}`)?.value ?? "";
  const act = (name, args, label, cls = "") =>
    el("button", { type: "button", class: `small ${cls}`, onclick: (e) => simcellCommand(ctx, name, { request: r.id, ...args() }, e.target) }, label);
  const grounds = instrument(model, r.instrument)?.refusal_grounds ?? [];
  return el(
    "li",
    { class: "request simcell-item", dataset: { request: r.id, status: r.status } },
    el(
      "div",
      { class: "simcell-head" },
      el("span", { class: "request-title" }, requestTitle(model, r)),
      el("span", { class: "muted request-route" }, `${route(model, r)}${r.agency ? ` · ${r.agency}` : ""}${r.urgent ? " · urgent" : ""}`),
      deadlineNode(r, simNow),
    ),
    el("div", { class: "request-body" }, fieldList(model, r), waiting ? null : historyList(model, r, (id, step) => signedName(model, id, step.by_name, step.by_agency))),
    waiting
      ? el(
          "div",
          { class: "proposal" },
          el("h3", {}, "Scenario proposal"),
          proposal === undefined
            ? el("p", { class: "muted small" }, "This page started from a snapshot without the templates; confirming applies the template the server finds.")
            : proposal === null
              ? el("p", { class: "muted small" }, "No template fits this request: answer it by hand.")
              : el(
                  "div",
                  {},
                  el("p", {}, el("span", { class: "tag tone-info" }, words(proposal.outcome)), " ", el("span", { class: "muted small" }, `released ${delayText(proposal.delay)}`)),
                  el("p", { class: "text proposal-text" }, proposal.text),
                  proposal.releases?.length ? el("p", { class: "muted small" }, `Releases: ${proposal.releases.map((a) => model.artefactTitles[a] ? `${model.artefactTitles[a]} (${a})` : a).join(", ")}`) : null,
                ),
          may && proposal !== null ? act("request.answer", () => ({ as_proposed: true }), "Confirm proposal", "primary") : null,
        )
      : null,
    waiting && may
      ? el(
          "details",
          { class: "by-hand" },
          el("summary", {}, "Answer by hand"),
          el(
            "div",
            { class: "reply-box" },
            el("label", { for: `simtext-${r.id}` }, "Text"),
            el("textarea", { id: `simtext-${r.id}`, rows: 2 }),
            el(
              "div",
              { class: "reply-buttons" },
              r.status === "sent" ? act("request.acknowledge", () => ({}), "Acknowledge") : null,
              act("request.answer", () => ({ text: value("simtext") }), "Answer"),
              act("request.answer", () => ({ text: value("simtext"), partial: true }), "Answer in part"),
              act("request.ask_clarification", () => ({ text: value("simtext") }), "Ask for clarification"),
            ),
            el(
              "div",
              { class: "refuse" },
              el("label", { for: `simground-${r.id}` }, "Ground"),
              el("select", { id: `simground-${r.id}` }, ...(grounds.length ? grounds : ["other"]).map((g) => el("option", { value: g }, words(g)))),
              act("request.refuse", () => ({ ground: value("simground"), text: value("simtext") }), "Refuse", "danger"),
            ),
          ),
        )
      : null,
    el("p", { class: "error", role: "alert", hidden: true }),
  );
}

async function simcellCommand(ctx, name, args, button) {
  button.disabled = true;
  await run(ctx, name, args, button.closest(".simcell-item").querySelector(".error"));
  button.disabled = false;
}

// -- channel with the teams --------------------------------------------------------------------------

function renderChannel(ctx) {
  const { model } = ctx;
  const items = model.feed.filter((i) => i.channel === "control" || i.channel === "prompt");
  const fromControl = (item) => item.from_control ?? Boolean(model.participants[item.author]?.staff);
  syncList($("#control-messages"), items, (i) => i.key, (item) =>
    el(
      "li",
      { class: `message${item.channel === "prompt" ? " prompt" : ""}${fromControl(item) ? " mine" : ""}`, dataset: { team: item.team ?? "", channel: item.channel, seq: item.seq } },
      el(
        "div",
        { class: "item-head" },
        el("span", { class: "author" }, item.channel === "prompt" ? "Mentor prompt · " : "", authorName(model, item.author), " ", el("span", { class: "tag tone-muted" }, item.team ? teamName(model, item.team) : "team")),
        stampOf(item, "muted"),
      ),
      el("p", { class: "text" }, item.text),
    ),
    { stickToBottom: true },
  );
  $("#control-empty").hidden = items.length > 0;
  renderHistory(ctx, CHANNEL, items.length);
  replaceIfChanged($("#control-team"), JSON.stringify(model.teams), () => model.teams.map((t) => el("option", { value: t.id }, t.name)));
  const checkbox = (t) => el("label", {}, el("input", { type: "checkbox", name: "adhoc-team", value: t.id }), ` ${t.name}`);
  replaceIfChanged($("#adhoc-teams"), JSON.stringify(model.teams), () => [el("legend", {}, "To (none ticked: everyone)"), ...model.teams.map(checkbox)]);
  const sender = isControl(model) || model.me.role === "simcell";
  for (const node of document.querySelectorAll("#control-form select, #control-form textarea, #control-form button, #adhoc-form input, #adhoc-form select, #adhoc-form textarea, #adhoc-form button")) {
    node.disabled = !sender;
  }
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
  const entries = model.timeline;
  syncList($("#log"), entries, (e) => `seq-${e.seq}`, (entry) => {
    const { title, detail } = describe(model, entry);
    return el(
      "li",
      { class: `entry kind-${kindGroup(entry.kind)}`, dataset: { seq: entry.seq, kind: entry.kind } },
      stampOf(entry, "muted"),
      el("div", { class: "entry-body" }, el("div", { class: "entry-title" }, title), detail ? el("div", { class: "entry-detail" }, detail) : null),
    );
  }, { stickToBottom: true });
  $("#log-empty").hidden = entries.length > 0;
  renderHistory(ctx, LOG, entries.length);
}

function render(ctx) {
  renderControls(ctx);
  renderMsel(ctx);
  renderSimcell(ctx);
  renderChannel(ctx);
  renderRoster(ctx, { control: isControl(ctx.model), revoke, reissue });
  renderOverview(ctx, simNowOf(ctx));
  renderChoices(ctx);
  renderLog(ctx);
  renderControlPanel(ctx);
  if (!$("#sheet").firstChild) renderCodes(ctx);
}

function tick(ctx) {
  const now = simNowOf(ctx);
  tickCountdowns($("#simcell"), ctx.model.requests, now);
  tickCountdowns($("#overview"), ctx.model.requests, now);
  // Now / next / overdue and the overview's overdue counts move with the clock, not with events.
  const minute = Math.floor(now / 60);
  if (minute !== ctx.minute) {
    ctx.minute = minute;
    ctx.render();
  }
}

// A snapshot carries no log and not the scenario's templates: load the latest page of events,
// and the event that holds the scenario.
function onSnapshot(ctx) {
  loadOlderTimeline(ctx);
  loadScenario(ctx);
}

const ctx = startPage({ page: "console", render, tick, onSnapshot });

if (ctx) {
  wireHistory(ctx, CHANNEL);
  wireHistory(ctx, LOG);
  wireRoster(ctx);
  wireClockSchedule(ctx);
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
  $("#control-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#control-text");
    if (await run(ctx, "message.control", { text: text.value, team: $("#control-team").value }, $("#control-msg-error"))) text.value = "";
  });
  $("#adhoc-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const teams = Array.from(document.querySelectorAll("input[name=adhoc-team]:checked"), (i) => i.value);
    const audience = teams.length ? { teams } : { everyone: true };
    const args = { title: form.elements.title.value, body: form.elements.body.value, audience, channel: form.elements.channel.value };
    if (await run(ctx, "inject.write", args, $("#adhoc-error"))) form.reset();
  });
}
