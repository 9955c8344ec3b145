// The observer dashboard (mentors, observers): the countries with the requests between them as
// arrows (late or on time), every team at a glance (open and overdue requests, injects not
// acknowledged, members online) and a live timeline of everything, filtered by team, role and
// kind. Staff write timestamped notes on a team (`note.write`); only staff see them. Team cards
// collapse (remembered on this browser); the timeline shows the play, roster and presence lines
// only when asked for, and has a Notes filter; a mentor's prompts go to their own team first.

import { run, simNowOf, startPage } from "./app.js";
import { describe, eventRole, eventTeam, kindGroup } from "./describe.js";
import { renderEvaluatorPanel } from "./evaluation_panels.js";
import { $, el, replaceIfChanged, setText, svg, syncList } from "./dom.js";
import { stampOf } from "./clockstamp.js";
import { loadOlderTimeline, renderHistory, wireHistory } from "./history.js";
import { isOnline, roleName, teamName } from "./model.js";
import { localTimesText } from "./localtime.js";
import { collapsedTeams, passesKind, setCollapsed, setShowsBackground, showsBackground } from "./observer-prefs.js";
import { isOverdue, statusTag } from "./panels.js";
import { CLOSED, isAbandoned, OUTBOX, REQUEST_STATUS, recipients } from "./play.js";

// The timeline is newest first: older entries load at its bottom (history.js).
const TIMELINE = { name: "timeline", list: "#timeline", edge: "#timeline-older", label: "Load older entries", scroll: "bottom" };

function teamStats(model) {
  const stats = new Map(model.teams.map((t) => [t.id, { team: t, members: 0, online: 0, messages: 0, people: [] }]));
  const everyone = Object.values(model.participants).sort((a, b) => a.name.localeCompare(b.name));
  for (const p of everyone) {
    const s = stats.get(p.team);
    if (!s || p.staff) continue;
    s.members += 1;
    if (isOnline(p)) s.online += 1;
    s.people.push({ id: p.id, name: p.name, role: roleName(model, p.role), online: isOnline(p) });
  }
  const simNow = model.simNowValue ?? 0;
  for (const s of stats.values()) Object.assign(s, { open: 0, overdue: 0, unacked: 0 });
  for (const r of Object.values(model.requests ?? {})) {
    if (OUTBOX.has(r.status) || CLOSED.has(r.status)) continue;
    for (const team of new Set([r.from, r.to])) {
      const s = stats.get(team);
      if (!s) continue;
      s.open += 1;
      if (isOverdue(r, simNow) && team === r.to) s.overdue += 1;
    }
  }
  for (const row of Object.values(model.injects ?? {})) {
    if (row.status !== "released") continue;
    for (const p of recipients(model, row)) {
      const s = stats.get(p.team);
      if (s && !row.acknowledged.includes(p.id)) s.unacked += 1;
    }
  }
  // Team messages: the timeline counts them all once it reaches the start of the exercise;
  // before that, the feed and the timeline each hold some (a welcome has a thread's latest),
  // and the larger count is a lower bound while the thread has older messages.
  const inFeed = new Map();
  const inTimeline = new Map();
  const count = (counts, team) => counts.set(team, (counts.get(team) ?? 0) + 1);
  for (const item of model.feed) if (item.channel === "team") count(inFeed, item.team ?? model.participants[item.author]?.team);
  for (const entry of model.timeline) if (entry.kind === "message.posted") count(inTimeline, entry.data.team);
  for (const s of stats.values()) {
    const id = s.team.id;
    const complete = model.timelineMore === false;
    s.messages = complete ? (inTimeline.get(id) ?? 0) : Math.max(inFeed.get(id) ?? 0, inTimeline.get(id) ?? 0);
    s.messagesMore = !complete && `team:${id}` in (model.older ?? {});
  }
  return [...stats.values()];
}

function sentRequests(model) {
  return Object.values(model.requests ?? {}).filter((r) => !OUTBOX.has(r.status) && !isAbandoned(r)); // a withdrawn draft was never a request
}

function renderMap(model, stats) {
  const width = 640;
  const gap = 40;
  const n = Math.max(1, stats.length);
  const box = Math.min(200, (width - gap * (n + 1)) / n);
  const height = 250;
  const top = 70;
  const boxHeight = 110;
  const simNow = model.simNowValue ?? 0;
  const requests = sentRequests(model);
  const lines = requests.map((r) => [r.id, r.from, r.to, r.instrument, r.status, isOverdue(r, simNow)]);
  const signature = JSON.stringify([stats.map((s) => [s.team.id, s.online, s.members]), lines]);
  replaceIfChanged($("#map"), signature, () => {
    const total = stats.length * box + (stats.length - 1) * gap;
    const left = (width - total) / 2;
    const centre = new Map(stats.map((s, i) => [s.team.id, left + i * (box + gap) + box / 2]));
    const shapes = stats.map((s, i) => {
      const x = left + i * (box + gap);
      const level = s.members === 0 ? "none" : s.online === s.members ? "all" : s.online === 0 ? "none" : "some";
      return svg(
        "g",
        { class: `country level-${level}` },
        svg("rect", { x, y: top, width: box, height: boxHeight, rx: 10 }),
        svg("text", { x: x + box / 2, y: top + 38, class: "country-name", "text-anchor": "middle" }, s.team.name),
        svg("text", { x: x + box / 2, y: top + 64, class: "country-code", "text-anchor": "middle" }, s.team.country),
        svg("text", { x: x + box / 2, y: top + 90, class: "country-online", "text-anchor": "middle" }, `${s.online} of ${s.members} online`),
      );
    });
    // One arrow per ordered pair of teams: above the boxes left to right, below right to left.
    const pairs = new Map();
    for (const r of requests) {
      if (!centre.has(r.from) || !centre.has(r.to)) continue;
      const key = `${r.from}>${r.to}`;
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(r);
    }
    const arrows = [...pairs.entries()].map(([key, list]) => {
      const [from, to] = key.split(">");
      const x1 = centre.get(from);
      const x2 = centre.get(to);
      const forward = x2 > x1;
      const span = Math.abs(x2 - x1);
      const base = forward ? top : top + boxHeight;
      const lift = Math.min(60, 26 + span / 12);
      const cy = forward ? base - lift : base + lift;
      const late = list.filter((r) => isOverdue(r, simNow)).length;
      const open = list.filter((r) => !CLOSED.has(r.status)).length;
      const state = late ? "late" : open ? "open" : "closed";
      const label = `${list.length} × ${[...new Set(list.map((r) => r.instrument))].join(", ")}${late ? ` · ${late} overdue` : ""}`;
      const title = list.map((r) => `${r.id} ${r.instrument} ${teamName(model, r.from)} → ${teamName(model, r.to)}: ${REQUEST_STATUS[r.status] ?? r.status}${isOverdue(r, simNow) ? ", overdue" : ", on time"}`).join("; ");
      const sx = x1 + (forward ? 12 : -12);
      const ex = x2 + (forward ? -12 : 12);
      return svg(
        "g",
        { class: `arrow arrow-${state}`, dataset: { from, to }, "data-from": from, "data-to": to, "data-state": state },
        svg("title", {}, title),
        svg("path", { d: `M ${sx} ${base} Q ${(sx + ex) / 2} ${cy * 2 - base} ${ex} ${base}`, "marker-end": `url(#head-${state})` }),
        svg("text", { x: (sx + ex) / 2, y: forward ? cy - 6 : cy + 14, "text-anchor": "middle", class: "arrow-label" }, label),
      );
    });
    const marker = (state) =>
      svg("marker", { id: `head-${state}`, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: `head head-${state}` }));
    const label = stats.map((s) => `${s.team.name}: ${s.online} of ${s.members} online`).join("; ");
    const requestsLabel = requests.length ? ` Requests: ${requests.length}.` : "";
    return [
      svg(
        "svg",
        { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Countries. ${label}.${requestsLabel}` },
        svg("title", {}, `Countries. ${label}.${requestsLabel}`),
        svg("defs", {}, marker("open"), marker("late"), marker("closed")),
        ...shapes,
        ...arrows,
      ),
    ];
  });
  const list = requests.slice().sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
  replaceIfChanged($("#request-list"), JSON.stringify(lines), () =>
    list.map((r) => {
      const late = isOverdue(r, simNow);
      return el(
        "li",
        { dataset: { request: r.id, late: String(late) } },
        statusTag(r),
        el("span", { class: "request-line" }, `${r.id} · ${teamName(model, r.from)} → ${teamName(model, r.to)}${r.simcell ? " (SimCell)" : ""} · ${r.instrument}`),
        CLOSED.has(r.status) ? el("span", { class: "muted small" }, "closed") : el("span", { class: `timing ${late ? "late" : "on-time"}` }, late ? "overdue" : "on time"),
      );
    }),
  );
  $("#requests-empty").hidden = list.length > 0;
}

function renderTeams(ctx, model, stats) {
  const collapsed = collapsedTeams(model.exercise.id);
  const signature = JSON.stringify([stats, [...collapsed]]);
  const toggle = (team, fold) => {
    setCollapsed(model.exercise.id, team, fold);
    ctx.render();
  };
  replaceIfChanged($("#team-cards"), signature, () =>
    stats.map((s) =>
      el(
        "article",
        { class: `team-card${collapsed.has(s.team.id) ? " collapsed" : ""}`, dataset: { team: s.team.id } },
        el(
          "div",
          { class: "card-head" },
          el("h3", {}, s.team.name, " ", el("span", { class: "muted" }, s.team.country)),
          el(
            "button",
            {
              type: "button",
              class: "small link card-toggle",
              "aria-expanded": String(!collapsed.has(s.team.id)),
              "aria-label": `${collapsed.has(s.team.id) ? "Expand" : "Collapse"} ${s.team.name}`,
              onclick: () => toggle(s.team.id, !collapsed.has(s.team.id)),
            },
            collapsed.has(s.team.id) ? "Expand" : "Collapse",
          ),
        ),
        el("p", { class: "muted card-summary" }, `${s.online} / ${s.members} online · ${s.open} open · ${s.overdue} overdue · ${s.unacked} not acknowledged`),
        el(
          "dl",
          { class: "stats" },
          el("div", {}, el("dt", {}, "Online"), el("dd", { class: "stat-online" }, `${s.online} / ${s.members}`)),
          el("div", {}, el("dt", {}, "Messages"), el("dd", { class: "stat-messages", title: s.messagesMore ? "at least; older messages are not loaded" : null }, `${s.messages}${s.messagesMore ? "+" : ""}`)),
          el("div", {}, el("dt", {}, "Open requests"), el("dd", { class: "stat-open" }, String(s.open))),
          el("div", { class: s.overdue ? "alarm" : "" }, el("dt", {}, "Overdue"), el("dd", { class: "stat-overdue" }, String(s.overdue))),
          el("div", { class: s.unacked ? "warn" : "" }, el("dt", {}, "Injects not acknowledged"), el("dd", { class: "stat-unacked" }, String(s.unacked))),
        ),
        el(
          "ul",
          { class: "members", "aria-label": `Members of ${s.team.name}` },
          ...s.people.map((p) =>
            el(
              "li",
              { dataset: { participant: p.id, online: String(p.online) } },
              el("span", { class: `dot ${p.online ? "on" : "off"}`, "aria-hidden": "true" }),
              el("span", { class: "member" }, el("span", { class: "member-name" }, p.name), el("span", { class: "muted member-role" }, p.role)),
              el("span", { class: `state ${p.online ? "on" : "off"}` }, p.online ? "online" : "offline"),
            ),
          ),
        ),
      ),
    ),
  );
}

function renderFilters(model) {
  const roles = [...model.roles, ...["director", "controller", "simcell", "mentor", "observer", "evaluator"].map((id) => ({ id, name: roleName(model, id) }))];
  replaceIfChanged($("#filter-role"), JSON.stringify(roles), () => [
    el("option", { value: "" }, "All roles"),
    ...roles.map((r) => el("option", { value: r.id }, r.name)),
  ]);
  replaceIfChanged($("#filter-team"), JSON.stringify(model.teams), () => [
    el("option", { value: "" }, "All teams"),
    ...model.teams.map((t) => el("option", { value: t.id }, t.name)),
  ]);
}

function render(ctx) {
  const { model } = ctx;
  model.simNowValue = simNowOf(ctx);
  const stats = teamStats(model);
  $("#note-form").hidden = !model.me.staff;
  $("#prompt-form").hidden = !["mentor", "director", "controller"].includes(model.me.role);
  // A mentor of a team prompts that team first; the others follow in the list.
  const own = model.me.team && model.teams.some((t) => t.id === model.me.team) ? model.me.team : null;
  const promptTeams = own ? [...model.teams.filter((t) => t.id === own), ...model.teams.filter((t) => t.id !== own)] : model.teams;
  replaceIfChanged($("#prompt-team"), JSON.stringify([own, model.teams]), () =>
    promptTeams.map((t) => el("option", { value: t.id, selected: t.id === own }, t.id === own ? `${t.name} (your team)` : t.name)),
  );
  replaceIfChanged($("#note-team"), JSON.stringify(model.teams), () => [el("option", { value: "" }, "The whole exercise"), ...model.teams.map((t) => el("option", { value: t.id }, t.name))]);
  renderMap(model, stats);
  renderTeams(ctx, model, stats);
  renderFilters(model);
  const team = $("#filter-team").value;
  const role = $("#filter-role").value;
  const kind = $("#filter-kind").value;
  const background = $("#show-background").checked;
  const entries = model.timeline
    .filter(
      (e) =>
        (!team || eventTeam(model, e) === team) &&
        (!role || eventRole(model, e) === role) &&
        passesKind(kindGroup, e, kind, background),
    )
    .reverse(); // newest first: live entries arrive at the top, older history at the bottom
  const list = $("#timeline");
  if (list.liaisonModel !== model) {
    list.liaisonModel = model; // a reset rebuilds the view
    list.replaceChildren();
  }
  const build = (entry) => {
    const { title, detail } = describe(model, entry);
    const about = eventTeam(model, entry);
    return el(
      "li",
      { class: `entry kind-${kindGroup(entry.kind)}`, dataset: { seq: entry.seq, kind: entry.kind } },
      stampOf(entry, "muted"),
      el("span", { class: `tag kind-tag kind-${kindGroup(entry.kind)}` }, kindGroup(entry.kind)),
      el("div", { class: "entry-body" }, el("div", { class: "entry-title" }, title), detail ? el("div", { class: "entry-detail" }, detail) : null),
      about ? el("span", { class: "muted entry-team" }, teamName(model, about)) : null,
    );
  };
  syncList(list, entries, (entry) => `seq-${entry.seq}`, build);
  $("#timeline-empty").hidden = entries.length > 0;
  setText($("#timeline-title"), `Timeline (${entries.length})`);
  renderHistory(ctx, TIMELINE, entries.length);
  renderEvaluatorPanel(ctx);
}

function tick(ctx) {
  const local = $("#local-times");
  setText(local, localTimesText(ctx.model, simNowOf(ctx)));
  local.hidden = !local.textContent;
  // Countdowns become overdue with the clock, not with an event.
  const before = ctx.model.simNowValue;
  ctx.model.simNowValue = simNowOf(ctx);
  const late = (r, now) => isOverdue(r, now);
  if (Object.values(ctx.model.requests ?? {}).some((r) => late(r, before) !== late(r, ctx.model.simNowValue))) ctx.render();
}

// A snapshot carries no timeline: load its latest page of events.
const ctx = startPage({ page: "observer", render, tick, onSnapshot: loadOlderTimeline });
if (ctx) {
  wireHistory(ctx, TIMELINE);
  $("#note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#note-text").value.trim();
    if (!text) return;
    const written = await run(ctx, "note.write", { text, team: $("#note-team").value || null }, $("#note-error"));
    if (written !== null) $("#note-text").value = ""; // the note comes back as a note.written event
  });
  $("#prompt-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#prompt-text").value.trim();
    if (!text) return;
    const sent = await run(ctx, "message.prompt", { team: $("#prompt-team").value, text }, $("#prompt-error"));
    if (sent !== null) $("#prompt-text").value = "";
  });
  $("#filter-team").addEventListener("change", () => ctx.render());
  $("#filter-role").addEventListener("change", () => ctx.render());
  $("#filter-kind").addEventListener("change", () => ctx.render());
  $("#show-background").checked = showsBackground();
  $("#show-background").addEventListener("change", () => {
    setShowsBackground($("#show-background").checked);
    ctx.render();
  });
}
