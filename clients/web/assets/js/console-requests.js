// Control's overview of the requests in play: per instrument and pair of countries, how many
// are open and how many are overdue against their game deadline; a group opens its requests,
// and a request its form and history. It counts the requests the page holds: the latest 64 of
// the welcome, those live events named, and older ones loaded with "Load older requests".

import { $, el, rebuildKeeping, setText } from "./dom.js";
import { loadOlderRequests, loadRequestsInFlight, renderEdge } from "./history.js";
import { signedName, teamName } from "./model.js";
import { deadlineNode, fieldList, historyList, isOverdue, requestTitle, statusTag } from "./panels.js";
import { CLOSED, OUTBOX } from "./play.js";

const opened = new Set(); // the groups and requests this console shows opened

function groupsOf(model, now) {
  const groups = new Map();
  for (const r of Object.values(model.requests)) {
    if (OUTBOX.has(r.status) || CLOSED.has(r.status)) continue;
    const key = `${r.instrument} ${r.from}>${r.to}`;
    if (!groups.has(key)) groups.set(key, { key, instrument: r.instrument, from: r.from, to: r.to, requests: [], overdue: 0 });
    const group = groups.get(key);
    group.requests.push(r);
    if (isOverdue(r, now)) group.overdue += 1;
  }
  return [...groups.values()].sort((a, b) => b.overdue - a.overdue || b.requests.length - a.requests.length || a.key.localeCompare(b.key));
}

function toggle(ctx, key) {
  if (opened.has(key)) opened.delete(key);
  else opened.add(key);
  ctx.render();
}

function requestItem(ctx, r, now) {
  const { model } = ctx;
  const key = `request:${r.id}`;
  const late = isOverdue(r, now);
  return el(
    "li",
    { class: `overview-request${late ? " late" : ""}`, dataset: { request: r.id, late: String(late) } },
    el(
      "button",
      { type: "button", class: "link overview-open", "aria-expanded": String(opened.has(key)), onclick: () => toggle(ctx, key) },
      `${r.id} · ${requestTitle(model, r)}`,
    ),
    " ",
    statusTag(r),
    r.simcell ? el("span", { class: "muted small" }, " SimCell") : null,
    deadlineNode(r, now),
    opened.has(key)
      ? el("div", { class: "request-body" }, fieldList(model, r), historyList(model, r, (id, step) => signedName(model, id, step.by_name, step.by_agency)))
      : null,
  );
}

export function renderOverview(ctx, now) {
  const { model } = ctx;
  const groups = groupsOf(model, now);
  const open = groups.reduce((n, g) => n + g.requests.length, 0);
  const overdue = groups.reduce((n, g) => n + g.overdue, 0);
  setText($("#overview-count"), open ? `${open} open · ${overdue} overdue` : "");
  // The welcome carries the latest 64 requests: older ones still in flight load on demand.
  const flying = model.requestsOlderInFlight ?? 0;
  const more = (model.requestsBefore ?? null) !== null;
  const label = flying ? `Load older requests (${flying} still in flight)` : "Load older requests";
  renderEdge(ctx, $("#overview-older"), { name: "requests", more, empty: !more, label, load: () => loadOlderRequests(ctx) });
  loadRequestsInFlight(ctx);
  $("#overview-empty").hidden = groups.length > 0;
  setText($("#overview-empty"), flying ? "No request is open among the latest: older ones are loading." : "No request is open.");
  const minute = Math.floor(now / 60);
  const signature = JSON.stringify([minute, [...opened], groups.map((g) => [g.key, g.overdue, g.requests.map((r) => [r.id, r.status, r.due_at, r.history?.length])])]);
  rebuildKeeping($("#overview"), signature, () =>
    groups.map((g) =>
      el(
        "li",
        { class: `overview-group${g.overdue ? " late" : ""}`, dataset: { instrument: g.instrument, from: g.from, to: g.to } },
        el(
          "button",
          { type: "button", class: "overview-head", "aria-expanded": String(opened.has(g.key)), onclick: () => toggle(ctx, g.key) },
          el("span", { class: "overview-instrument" }, g.instrument),
          el("span", { class: "overview-route" }, `${teamName(model, g.from)} → ${teamName(model, g.to)}`),
          el("span", { class: "overview-open-count" }, `${g.requests.length} open`),
          el("span", { class: `overview-late-count${g.overdue ? " late" : ""}` }, `${g.overdue} overdue`),
        ),
        opened.has(g.key) ? el("ul", { class: "overview-requests" }, ...g.requests.map((r) => requestItem(ctx, r, now))) : null,
      ),
    ),
  );
}
