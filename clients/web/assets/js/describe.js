// One line of text per event, for the console's log and the observer's timeline.

import { authorName, formatSim, roleName, teamName } from "./model.js";

export const KIND_GROUPS = {
  "message.posted": "message",
  "announcement.made": "announcement",
  "connection.opened": "presence",
  "connection.closed": "presence",
  "participant.added": "roster",
  "credential.issued": "roster",
  "credential.revoked": "roster",
};

export function kindGroup(kind) {
  return KIND_GROUPS[kind] ?? "exercise";
}

/** The team an event is about (for the team filter), or null. */
export function eventTeam(model, entry) {
  const { kind, data } = entry;
  if (kind === "message.posted") return data.team;
  if (kind === "participant.added") return data.team;
  if (data && data.participant) return model.participants[data.participant]?.team ?? null;
  return null;
}

/** The role of the participant an event is about (its author, the one who connected ...), or null. */
export function eventRole(model, entry) {
  const { kind, data } = entry;
  if (kind === "participant.added") return data.role;
  const who = data?.participant ?? data?.author;
  return who ? (model.participants[who]?.role ?? null) : null;
}

export function audienceText(model, audience) {
  if (!audience) return "";
  if (audience.everyone) return "everyone";
  const parts = [
    ...(audience.teams ?? []).map((t) => teamName(model, t)),
    ...(audience.roles ?? []).map((r) => `${roleName(model, r)}s`),
    ...(audience.participants ?? []).map((p) => authorName(model, p)),
  ];
  return parts.length ? parts.join(", ") : "staff only";
}

/** {title, detail}: detail is text the users typed (rendered as text, like everything). */
export function describe(model, entry) {
  const { kind, data } = entry;
  const who = (id) => authorName(model, id);
  const clock = () => (data.clock ? formatSim(data.clock.sim_anchor) : "");
  switch (kind) {
    case "exercise.created":
      return { title: `Exercise created: ${data.title}` };
    case "exercise.ready":
      return { title: "Exercise is ready" };
    case "exercise.started":
      return { title: `Exercise started at ${clock()}` };
    case "exercise.paused":
      return { title: `Exercise paused at ${clock()}` };
    case "exercise.resumed":
      return { title: `Exercise resumed at ${clock()}` };
    case "exercise.ended":
      return { title: `Exercise ended at ${clock()}` };
    case "clock.speed_changed":
      return { title: `Clock speed set to ×${data.clock.speed}` };
    case "clock.jumped":
      return { title: `Clock jumped from ${formatSim(data.from_sim)} to ${clock()}` };
    case "participant.added":
      return { title: `${data.name} added (${data.team ? teamName(model, data.team) : "staff"}, ${roleName(model, data.role)})` };
    case "credential.issued":
      return { title: `New join code issued for ${who(data.participant)}` };
    case "credential.revoked":
      return { title: `Join code revoked for ${who(data.participant)}` };
    case "connection.opened":
      return { title: entry.wasOnline ? `${who(data.participant)} opened another window` : `${who(data.participant)} came online` };
    case "connection.closed":
      return { title: entry.online ? `${who(data.participant)} closed a window (still online)` : `${who(data.participant)} went offline` };
    case "message.posted":
      return { title: `${who(data.author)} → ${teamName(model, data.team)} channel`, detail: data.text };
    case "announcement.made":
      return { title: `Announcement by ${who(data.author)} to ${audienceText(model, data.audience)}`, detail: data.text };
    default:
      return { title: kind };
  }
}
