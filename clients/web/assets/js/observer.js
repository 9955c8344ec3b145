// The observer dashboard (mentors, observers): every team at a glance and a live timeline of
// everything, filtered by team and kind. Requests between countries will be drawn on the map.

import { startPage } from "./app.js";
import { describe, eventRole, eventTeam, kindGroup } from "./describe.js";
import { $, el, replaceIfChanged, setText, svg, wallTime } from "./dom.js";
import { isOnline, roleName, teamName } from "./model.js";

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
  for (const item of model.feed) {
    if (item.channel !== "team") continue;
    const team = item.team ?? model.participants[item.author]?.team;
    const s = stats.get(team);
    if (s) s.messages += 1;
  }
  return [...stats.values()];
}

function renderMap(model, stats) {
  const width = 640;
  const gap = 24;
  const box = Math.min(220, (width - gap * (stats.length + 1)) / Math.max(1, stats.length));
  const height = 150;
  const signature = JSON.stringify(stats.map((s) => [s.team.id, s.online, s.members]));
  replaceIfChanged($("#map"), signature, () => {
    const total = stats.length * box + (stats.length - 1) * gap;
    const left = (width - total) / 2;
    const shapes = stats.map((s, i) => {
      const x = left + i * (box + gap);
      const level = s.members === 0 ? "none" : s.online === s.members ? "all" : s.online === 0 ? "none" : "some";
      return svg(
        "g",
        { class: `country level-${level}` },
        svg("rect", { x, y: 20, width: box, height: 110, rx: 10 }),
        svg("text", { x: x + box / 2, y: 58, class: "country-name", "text-anchor": "middle" }, s.team.name),
        svg("text", { x: x + box / 2, y: 84, class: "country-code", "text-anchor": "middle" }, s.team.country),
        svg("text", { x: x + box / 2, y: 110, class: "country-online", "text-anchor": "middle" }, `${s.online} of ${s.members} online`),
      );
    });
    const label = stats.map((s) => `${s.team.name}: ${s.online} of ${s.members} online`).join("; ");
    return [svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Countries. ${label}` }, svg("title", {}, `Countries. ${label}`), ...shapes)];
  });
}

function renderTeams(model, stats) {
  const signature = JSON.stringify(stats);
  replaceIfChanged($("#team-cards"), signature, () =>
    stats.map((s) =>
      el(
        "article",
        { class: "team-card", dataset: { team: s.team.id } },
        el("h3", {}, s.team.name, " ", el("span", { class: "muted" }, s.team.country)),
        el(
          "dl",
          { class: "stats" },
          el("div", {}, el("dt", {}, "Online"), el("dd", { class: "stat-online" }, `${s.online} / ${s.members}`)),
          el("div", {}, el("dt", {}, "Messages"), el("dd", { class: "stat-messages" }, String(s.messages))),
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
  const roles = [...model.roles, ...["director", "controller", "simcell", "mentor", "observer"].map((id) => ({ id, name: roleName(model, id) }))];
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
  const stats = teamStats(model);
  renderMap(model, stats);
  renderTeams(model, stats);
  renderFilters(model);
  const team = $("#filter-team").value;
  const role = $("#filter-role").value;
  const kind = $("#filter-kind").value;
  const entries = model.timeline
    .filter(
      (e) =>
        (!team || eventTeam(model, e) === team) &&
        (!role || eventRole(model, e) === role) &&
        (!kind || kindGroup(e.kind) === kind),
    )
    .slice(-500)
    .reverse(); // newest first
  const list = $("#timeline");
  // Newest first: rebuild when the filter changed, otherwise prepend what is new.
  const filterKey = `${team}|${role}|${kind}`;
  if (list.dataset.filter !== filterKey || list.liaisonModel !== model) {
    list.liaisonModel = model; // a reset rebuilds the view
    list.replaceChildren();
    list.dataset.filter = filterKey;
  }
  const shown = new Set(Array.from(list.children, (n) => n.dataset.key));
  const fresh = entries.filter((e) => !shown.has(`seq-${e.seq}`));
  const build = (entry) => {
    const { title, detail } = describe(model, entry);
    const about = eventTeam(model, entry);
    return el(
      "li",
      { class: `entry kind-${kindGroup(entry.kind)}`, dataset: { key: `seq-${entry.seq}`, seq: entry.seq, kind: entry.kind } },
      el("time", { class: "muted" }, wallTime(entry.at)),
      el("span", { class: `tag kind-tag kind-${kindGroup(entry.kind)}` }, kindGroup(entry.kind)),
      el("div", { class: "entry-body" }, el("div", { class: "entry-title" }, title), detail ? el("div", { class: "entry-detail" }, detail) : null),
      about ? el("span", { class: "muted entry-team" }, teamName(model, about)) : null,
    );
  };
  list.prepend(...fresh.map(build));
  while (list.children.length > 500) list.lastElementChild.remove();
  $("#timeline-empty").hidden = entries.length > 0;
  setText($("#timeline-title"), `Timeline (${entries.length})`);
}

const ctx = startPage({ page: "observer", render });
if (ctx) {
  $("#filter-team").addEventListener("change", () => ctx.render());
  $("#filter-role").addEventListener("change", () => ctx.render());
  $("#filter-kind").addEventListener("change", () => ctx.render());
}
