// The console's participants table, for 200 people: search (name, team, role, id, code state),
// filters (team, role, online, not acknowledged the latest inject), the row actions in view at
// laptop width, and control's read-only preview of each participant's station (preview.js).

import { $, el, replaceIfChanged, setText } from "./dom.js";
import { isOnline, roleName, teamName } from "./model.js";
import { recipients } from "./play.js";
import { previewUrl } from "./preview.js";

/** The released inject released last (the one "not acknowledged the latest inject" is about). */
export function latestInject(model) {
  let latest = null;
  for (const r of Object.values(model.injects)) {
    if (r.status === "released" && (latest === null || (r.released_at ?? 0) >= (latest.released_at ?? 0))) latest = r;
  }
  return latest;
}

/** The released injects `p` has not acknowledged; `audiences` holds each one's recipients' ids. */
function unacknowledged(p, audiences) {
  return audiences.filter(([r, ids]) => ids.has(p.id) && !r.acknowledged.includes(p.id)).map(([r]) => r);
}

function filters() {
  return {
    text: $("#roster-search").value.trim().toLowerCase(),
    team: $("#roster-team").value,
    role: $("#roster-role").value,
    online: $("#roster-online").value,
    ack: $("#roster-ack").value,
  };
}

function matches(model, p, f, open, latest) {
  if (f.team && (f.team === "staff" ? !p.staff : p.team !== f.team)) return false;
  if (f.role && p.role !== f.role) return false;
  if (f.online && (f.online === "online") !== isOnline(p)) return false;
  if (f.ack === "latest" && !(latest && open.includes(latest))) return false;
  if (f.ack === "any" && !open.length) return false;
  if (!f.text) return true;
  const about = [p.name, p.id, p.team ?? "staff", p.team ? teamName(model, p.team) : "staff", roleName(model, p.role), p.revoked ? "revoked" : "active"];
  return f.text.split(/\s+/).every((word) => about.some((text) => String(text).toLowerCase().includes(word)));
}

/** Opens `participant`'s station as they see it, read-only, in a new tab of this session. */
export function openPreview(participant) {
  // Not "noopener": the new tab must start with a copy of this tab's session (sessionStorage).
  window.open(previewUrl(participant), "_blank");
}

function renderFilterChoices(model, latest) {
  replaceIfChanged($("#roster-team"), JSON.stringify(model.teams), () => [
    el("option", { value: "" }, "All teams"),
    ...model.teams.map((t) => el("option", { value: t.id }, t.name)),
    el("option", { value: "staff" }, "Staff"),
  ]);
  const roles = [...model.roles, ...["director", "controller", "simcell", "mentor", "observer"].map((id) => ({ id, name: roleName(model, id) }))];
  replaceIfChanged($("#roster-role"), JSON.stringify(roles), () => [
    el("option", { value: "" }, "All roles"),
    ...roles.map((r) => el("option", { value: r.id }, r.name)),
  ]);
  const latestOption = $("#roster-ack option[value=latest]");
  setText(latestOption, latest ? `Not acknowledged the latest inject (${latest.id})` : "Not acknowledged the latest inject");
}

function renderPreviewTeams(ctx, people, control) {
  const { model } = ctx;
  const box = $("#preview-teams");
  box.hidden = !control;
  const order = new Map(model.roles.map((r, i) => [r.id, i]));
  const first = (team) =>
    people
      .filter((p) => p.team === team && !p.staff)
      .sort((a, b) => (order.get(a.role) ?? 99) - (order.get(b.role) ?? 99) || a.name.localeCompare(b.name))[0];
  const picks = model.teams.map((t) => [t, first(t.id)]).filter(([, p]) => p);
  replaceIfChanged($("#preview-team-buttons"), JSON.stringify([control, picks.map(([t, p]) => [t.id, t.name, p.id, p.name])]), () =>
    picks.map(([t, p]) =>
      el("button", { type: "button", class: "small", dataset: { previewTeam: t.id }, title: `Opens ${t.name}'s station as ${p.name} sees it, read-only, in a new tab`, onclick: () => openPreview(p.id) }, `${t.name} (as ${p.name})`),
    ),
  );
}

export function renderRoster(ctx, { control, revoke, reissue }) {
  const { model } = ctx;
  const people = Object.values(model.participants).sort(
    (a, b) => Number(a.staff) - Number(b.staff) || (a.team ?? "").localeCompare(b.team ?? "") || a.name.localeCompare(b.name),
  );
  const online = people.filter(isOnline).length;
  setText($("#online-count"), `${online} of ${people.length} online`);
  const released = Object.values(model.injects).filter((r) => r.status === "released");
  const latest = latestInject(model);
  renderFilterChoices(model, latest);
  renderPreviewTeams(ctx, people, control);
  const f = filters();
  // Each inject's recipients once, not once per person: 200 people × 30 injects on every render.
  const audiences = released.map((r) => [r, new Set(recipients(model, r).map((q) => q.id))]);
  const open = new Map(people.map((p) => [p.id, p.staff ? [] : unacknowledged(p, audiences)]));
  const shown = people.filter((p) => matches(model, p, f, open.get(p.id), latest));
  setText($("#roster-shown"), shown.length === people.length ? `${people.length} people` : `${shown.length} of ${people.length} shown`);
  $("#roster-none").hidden = shown.length > 0;
  const signature = JSON.stringify([control, shown.map((p) => [p.id, p.name, p.team, p.role, isOnline(p), p.revoked, open.get(p.id).map((r) => r.id)])]);
  replaceIfChanged($("#participants"), signature, () =>
    shown.map((p) => {
      const on = isOnline(p);
      return el(
        "tr",
        { dataset: { participant: p.id } },
        el("th", { scope: "row" }, el("span", { class: "person-name" }, p.name), el("span", { class: "muted small person-id" }, p.id)),
        el("td", {}, el("span", { class: "person-team" }, p.team ? teamName(model, p.team) : "Staff"), el("span", { class: "muted small person-role" }, roleName(model, p.role))),
        el(
          "td",
          {},
          el("span", { class: `state ${on ? "on" : "off"}` }, el("span", { class: `dot ${on ? "on" : "off"}`, "aria-hidden": "true" }), on ? "online" : "offline"),
          el("span", { class: `tag code-state ${p.revoked ? "tag-bad" : "tag-ok"}` }, p.revoked ? "revoked" : "active"),
        ),
        el("td", { class: "ack-state" }, ackState(p, open.get(p.id))),
        el(
          "td",
          { class: "actions" },
          control && !p.staff
            ? el("button", { type: "button", class: "small link", "aria-label": `Preview the station of ${p.name}, read-only`, onclick: () => openPreview(p.id) }, "Preview")
            : null,
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

/** Which released injects for this participant they have not acknowledged. */
function ackState(p, open) {
  if (p.staff) return el("span", { class: "muted" }, "—");
  if (!open.length) return el("span", { class: "state on" }, "all acknowledged");
  return el(
    "span",
    { class: "tag tone-warn", title: open.map((r) => `${r.id} ${r.title}`).join("\n") },
    `${open.length} not acknowledged: ${open.map((r) => r.id).join(", ")}`,
  );
}

export function wireRoster(ctx) {
  for (const id of ["#roster-team", "#roster-role", "#roster-online", "#roster-ack"]) $(id).addEventListener("change", () => ctx.render());
  $("#roster-search").addEventListener("input", () => ctx.render());
  $("#roster-clear").addEventListener("click", () => {
    for (const id of ["#roster-search", "#roster-team", "#roster-role", "#roster-online", "#roster-ack"]) $(id).value = "";
    ctx.render();
  });
}
