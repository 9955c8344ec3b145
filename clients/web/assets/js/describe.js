// One line of text per event, for the console's log and the observer's timeline.

import { authorName, formatSim, roleName, signedName, teamName } from "./model.js";

export const KIND_GROUPS = {
  "message.posted": "message",
  "announcement.made": "announcement",
  "connection.opened": "presence",
  "connection.closed": "presence",
  "participant.added": "roster",
  "credential.issued": "roster",
  "credential.revoked": "roster",
  "station.previewed": "roster",
};

export function kindGroup(kind) {
  if (KIND_GROUPS[kind]) return KIND_GROUPS[kind];
  if (kind.startsWith("inject.")) return "inject";
  if (kind.startsWith("request.")) return "request";
  if (kind.startsWith("artefact.") || kind.startsWith("action.")) return "casefile";
  if (kind === "message.control" || kind === "message.prompt" || kind === "message.direct" || kind === "note.written") return "message";
  return "exercise";
}

/** The team an event is about (for the team filter), or null. */
export function eventTeam(model, entry) {
  const { kind, data } = entry;
  if (kind === "message.posted" || kind === "message.control" || kind === "message.prompt" || kind === "action.taken" || kind === "action.flagged" || kind === "note.written") return data.team;
  if (kind.startsWith("request.")) return model.requests?.[data.request]?.from ?? data.source_team ?? null;
  if (kind === "artefact.shared") return data.from_team;
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
    ...(audience.team_roles ?? []).map((tr) => {
      const [team, role] = tr.split("/");
      return `${teamName(model, team)} ${roleName(model, role)}s`;
    }),
  ];
  return parts.length ? parts.join(", ") : "staff only";
}

/** {title, detail}: detail is text the users typed (rendered as text, like everything). */
export function describe(model, entry) {
  const { kind, data } = entry;
  const who = (id) => authorName(model, id);
  const signer = () => signedName(model, data.by, data.by_name, data.by_agency);
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
      return { title: `Clock jumped from ${formatSim(data.from_sim)} to ${clock()}${data.reason ? ` (scheduled: ${data.reason})` : ""}` };
    case "clock.jump_skipped":
      return { title: `Scheduled clock jump ${data.jump} skipped by ${who(data.by)}` };
    case "request.flagged":
      return { title: `${data.request} flagged by legal rule ${data.rules.join(", ")}`, detail: data.grounds.join("; ") };
    case "participant.added":
      return { title: `${data.name} added (${data.team ? teamName(model, data.team) : "staff"}, ${roleName(model, data.role)})` };
    case "credential.issued":
      return { title: `New join code issued for ${who(data.participant)}` };
    case "credential.revoked":
      return { title: `Join code revoked for ${who(data.participant)}` };
    case "station.previewed":
      return { title: `${who(data.by)} previewed the station of ${who(data.participant)} (${teamName(model, data.team)}), read-only` };
    case "connection.opened":
      return { title: entry.wasOnline ? `${who(data.participant)} opened another window` : `${who(data.participant)} came online` };
    case "connection.closed":
      return { title: entry.online ? `${who(data.participant)} closed a window (still online)` : `${who(data.participant)} went offline` };
    case "message.posted":
      return { title: `${who(data.author)} → ${teamName(model, data.team)} channel`, detail: data.text };
    case "announcement.made":
      return { title: `Announcement by ${who(data.author)} to ${audienceText(model, data.audience)}`, detail: data.text };
    case "message.control":
      return { title: data.from_control ? `Control → ${teamName(model, data.team)}` : `${who(data.author)} (${teamName(model, data.team)}) → control`, detail: data.text };
    case "message.prompt":
      return { title: `Mentor prompt to ${teamName(model, data.team)} by ${who(data.author)}`, detail: data.text };
    case "inject.released":
      return { title: `Inject ${data.inject} released to ${audienceText(model, data.audience)}: ${data.title}` };
    case "inject.held":
    case "inject.hold_lifted":
    case "inject.skipped":
      return { title: `Inject ${data.inject} ${{ "inject.held": "held", "inject.hold_lifted": "no longer held", "inject.skipped": "skipped" }[kind]}` };
    case "inject.retimed":
      return { title: `Inject ${data.inject} moved to ${formatSim(data.at)}` };
    case "inject.edited":
      return { title: `Inject ${data.inject} edited: ${data.title}` };
    case "inject.opened":
    case "inject.acknowledged":
      return { title: `${who(data.participant)} ${kind === "inject.opened" ? "opened" : "acknowledged"} ${data.inject}` };
    case "request.drafted":
      return { title: `${data.request}: ${data.instrument} drafted by ${signedName(model, data.author, data.author_name, data.author_agency)}, ${teamName(model, data.source_team)} → ${teamName(model, data.target_team)}` };
    case "request.deadline":
      return { title: `${data.request} is ${data.warning === "overdue" ? "overdue" : "due soon"}${data.stage ? ` to be ${data.stage.replaceAll("_", " ")}` : ""} (due ${formatSim(data.due_at)})` };
    case "request.answered":
    case "request.refused":
    case "request.clarification_requested":
    case "request.clarified": {
      const verb = { "request.answered": data.partial ? "answered in part" : "answered", "request.refused": `refused (${data.ground})`, "request.clarification_requested": "clarification asked", "request.clarified": "clarified" }[kind];
      return { title: `${data.request} ${verb} by ${signer()}`, detail: data.text || undefined };
    }
    case "request.updated":
    case "request.validated":
    case "request.sent":
    case "request.acknowledged":
    case "request.withdrawn":
      return { title: `${data.request} ${kind.slice(8)} by ${signer()}` };
    case "artefact.released":
      return { title: `${data.artefact} released (${data.source})` };
    case "artefact.changed":
      return { title: `${data.artefact} ${data.condition} (${data.inject})`, detail: data.note || undefined };
    case "request.amended":
      return { title: `${data.request} amended by ${signer()}: ${data.changes.map((c) => c.key).join(", ")}`, detail: data.note || undefined };
    case "request.consent_granted":
      return { title: `${data.request}: consent to ${data.uses.join(" and ")} use by the ${data.side} (${signer()})`, detail: data.note || undefined };
    case "request.answer_scheduled":
      return { title: `${data.request}: SimCell's answer arrives at ${formatSim(data.answer_at)}`, detail: data.text };
    case "request.answer_deferred":
      return { title: `${data.request}: acknowledged by ${signer()}, answer after ENDEX`, detail: data.text };
    case "artefact.shared":
      return { title: `${data.artefact} shared ${teamName(model, data.from_team)} → ${teamName(model, data.to_team)} by ${who(data.by)}` };
    case "artefact.flagged":
      return { title: `Flag: ${data.artefact} passed ${teamName(model, data.from_team)} → ${teamName(model, data.to_team)} (${data.reason})` };
    case "note.written":
      return { title: `Note on ${data.team ? teamName(model, data.team) : "the exercise"} by ${who(data.author)}`, detail: data.text };
    case "message.direct":
      return { title: `${who(data.author)}: ${teamName(model, data.from_team)} → ${teamName(model, data.to_team)} (direct)`, detail: data.text };
    case "action.flagged":
      return { title: `Flag: ${who(data.participant)} (${teamName(model, data.team)}): ${data.action} · ${data.flags.join(", ")}` };
    case "action.taken":
      return { title: `${who(data.participant)} (${teamName(model, data.team)}): ${data.action}${data.subject ? ` · ${data.subject}` : ""}${data.flags?.length ? ` · flagged: ${data.flags.join(", ")}` : ""}`, detail: data.note || undefined };
    default:
      return { title: kind };
  }
}
