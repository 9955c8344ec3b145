// Pieces of play panels that the station, the console and the observer share: a request's
// status, its deadline against the exercise clock, its form as filled in. Text goes in as text.

import { el } from "./dom.js";
import { fieldLabel, valueLabel } from "./labels.js";
import { agencyName, formatSim, teamName } from "./model.js";
import { CLOSED, instrument, OUTBOX, REQUEST_STATUS, words } from "./play.js";
import { metAt } from "./request-practice.js";

export function statusTag(request) {
  const tone = { answered: "ok", partially_answered: "ok", refused: "bad", withdrawn: "muted", clarification_requested: "warn", draft: "muted", validated: "info" }[request.status] ?? "info";
  return el("span", { class: `tag tone-${tone} request-status`, dataset: { status: request.status } }, REQUEST_STATUS[request.status] ?? request.status);
}

/**
 * The deadline a request's summary counts down to: with several deadlines, the earliest not met
 * yet (an acknowledgement made in time no longer counts), else the request's one (`due_at`).
 */
export function currentDue(request) {
  const list = request.deadlines ?? [];
  if (list.length < 2 || CLOSED.has(request.status)) return { due_at: request.due_at, stage: request.due_stage, warned: request.warned ?? [] };
  const open = list.filter((d) => metAt(request, d.stage) === null).sort((a, b) => a.due_at - b.due_at)[0];
  return open ? { due_at: open.due_at, stage: open.stage, warned: open.warned ?? [] } : { due_at: null, stage: "", warned: [] };
}

export function isOverdue(request, simNow) {
  const due = currentDue(request).due_at;
  return due !== null && due !== undefined && !CLOSED.has(request.status) && !OUTBOX.has(request.status) && simNow >= due;
}

function span(seconds) {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} h ${String(minutes % 60).padStart(2, "0")}` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "due in 42 min" / "overdue by 5 min" in simulated time, with the legal deadline beside it. */
export function deadlineText(request, simNow) {
  const current = currentDue(request);
  if (current.due_at === null || current.due_at === undefined || OUTBOX.has(request.status)) return null;
  if (CLOSED.has(request.status)) return { text: `was due ${formatSim(current.due_at)}`, overdue: false, closed: true };
  const left = current.due_at - simNow;
  const stage = current.stage ? `${words(current.stage)} ` : "";
  return left <= 0
    ? { text: `overdue by ${span(left)} (${stage}due ${formatSim(current.due_at)})`, overdue: true }
    : { text: `${stage}due in ${span(left)} (${formatSim(current.due_at)})`, overdue: false, soon: current.warned.includes("due_soon") };
}

export function deadlineNode(request, simNow) {
  const due = deadlineText(request, simNow);
  const legal = request.legal ? el("span", { class: "legal muted" }, `Legal deadline: ${request.legal}`) : null;
  if (!due) return legal ? el("div", { class: "deadline" }, legal) : null;
  const state = due.closed ? "closed" : due.overdue ? "overdue" : due.soon ? "soon" : "running";
  return el(
    "div",
    { class: "deadline" },
    el("span", { class: `countdown countdown-${state}`, dataset: { due: currentDue(request).due_at, requestId: request.id } }, due.overdue ? "Overdue · " : "", due.text),
    legal,
  );
}

/** Update the countdowns in `root` every second without rebuilding anything. */
export function tickCountdowns(root, requests, simNow) {
  for (const node of root.querySelectorAll(".countdown[data-request-id]")) {
    const request = requests[node.dataset.requestId];
    if (!request) continue;
    const due = deadlineText(request, simNow);
    if (!due) continue;
    const text = `${due.overdue ? "Overdue · " : ""}${due.text}`;
    if (node.textContent !== text) node.textContent = text;
    const state = due.closed ? "closed" : due.overdue ? "overdue" : due.soon ? "soon" : "running";
    node.className = `countdown countdown-${state}`;
  }
}

export function fieldValue(value) {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (Array.isArray(value)) return value.map(words).join(", ");
  return String(value ?? "");
}

export function fieldList(model, request) {
  const inst = instrument(model, request.instrument);
  const keys = inst ? inst.fields.map((f) => f.key) : Object.keys(request.fields ?? {});
  return el(
    "dl",
    { class: "form-values" },
    ...keys
      .filter((key) => request.fields?.[key] !== undefined && request.fields?.[key] !== null)
      .map((key) => {
        const spec = inst?.fields.find((f) => f.key === key);
        const value = spec?.type === "agency" ? agencyName(model, request.fields[key]) : spec ? valueLabel(spec, request.fields[key]) : fieldValue(request.fields[key]);
        return el("div", { dataset: { field: key } }, el("dt", {}, fieldLabel(spec ?? { key })), el("dd", { class: "text" }, value));
      }),
  );
}

/** "R-3 · Police message", led by the request's subject line when it has one. */
export function requestTitle(model, request) {
  const inst = instrument(model, request.instrument);
  const kind = `${request.id} · ${inst?.name ?? request.instrument}`;
  return request.subject ? `${request.subject} (${kind})` : kind;
}

export function route(model, request) {
  return `${teamName(model, request.from)} → ${teamName(model, request.to)}${request.simcell ? " (SimCell)" : ""}`;
}

/** `who(id, step)` names who took a step (`signedName` with the step's signature). */
export function historyList(model, request, who) {
  return el(
    "ol",
    { class: "history", "aria-label": `History of ${request.id}` },
    ...(request.history ?? []).map((step) =>
      el(
        "li",
        {},
        el("span", { class: "muted" }, formatSim(step.sim_time)),
        " ",
        el("strong", {}, REQUEST_STATUS[step.status] ?? step.status),
        step.by ? ` · ${who(step.by, step)}` : "",
        step.note ? el("div", { class: "text history-note" }, step.note) : null,
      ),
    ),
  );
}
