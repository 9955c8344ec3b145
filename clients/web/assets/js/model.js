// The view model: what a page shows, as plain data (it is saved in sessionStorage as JSON).
// `fromWelcome` builds it from a snapshot; `applyEvent` folds one event in. Items are keyed by
// the seq of the event that made them, so a replay can never show one twice.
//
// Play (play.js folds those events): injects, requests, the case file, actions. Some facts reach
// a participant only in a snapshot (a request sent to the team: its form; an artefact released
// or shared: its text); `model.resync` then asks the page for a fresh snapshot.

import { applyPlay, emptyPlay, playFromSnapshot } from "./play.js";

export const TIMELINE_LIMIT = 2000;

export const STATUS_LABELS = {
  draft: "Not started",
  ready: "Ready",
  running: "Running",
  paused: "Paused",
  ended: "Ended",
};

export function fromWelcome(welcome) {
  const snap = welcome.snapshot;
  const participants = {};
  for (const p of snap.participants) {
    participants[p.id] = { ...p, connections: [], snapshotOnline: Boolean(p.online) };
  }
  const model = {
    me: welcome.me,
    exercise: { ...snap.exercise },
    teams: snap.teams,
    roles: snap.roles,
    catalogue: snap.catalogue ?? null,
    participants,
    feed: snap.feed.map((item, index) => ({
      key: `snapshot-${index}`,
      seq: null,
      at: null,
      ...item,
      team: item.team ?? (["control", "prompt"].includes(item.channel) && !welcome.me.staff ? welcome.me.team : undefined),
    })),
    timeline: [],
  };
  playFromSnapshot(model, snap);
  return model;
}

/**
 * An empty view on the exercise's public facts (kept from the join page's welcome): the page
 * then resumes from seq 0 and the replay of every event it may see fills it in, exactly
 * (presence by connection, every item with its seq and time).
 */
export function fromBase(base, me) {
  const model = {
    me,
    exercise: { ...base.exercise },
    teams: base.teams,
    roles: base.roles,
    catalogue: base.catalogue ?? null,
    participants: {},
    feed: [],
    timeline: [],
  };
  emptyPlay(model);
  // The case file this viewer had when joining (events carry artefact ids, not their text).
  for (const item of base.case_file ?? []) model.caseFile[item.id] = { ...item, shares: [] };
  return model;
}

/** The public part of a snapshot (and the viewer's case file), kept in the session for `fromBase`. */
export function baseOf(snapshot) {
  const { id, title, scenario, morning, status, clock } = snapshot.exercise;
  return {
    exercise: { id, title, scenario, morning, status, clock },
    teams: snapshot.teams,
    roles: snapshot.roles,
    catalogue: snapshot.catalogue ?? null,
    case_file: snapshot.case_file ?? [],
  };
}

function participant(model, id) {
  return model.participants[id] ?? null;
}

export function isOnline(p) {
  return p.snapshotOnline || p.connections.length > 0;
}

export function applyEvent(model, frame) {
  const { kind, data, seq, at } = frame;
  const entry = { seq, at, kind, data };
  model.timeline.push(entry);
  if (model.timeline.length > TIMELINE_LIMIT) model.timeline.splice(0, model.timeline.length - TIMELINE_LIMIT);
  switch (kind) {
    case "exercise.ready":
      model.exercise.status = "ready";
      break;
    case "exercise.started":
    case "exercise.resumed":
      model.exercise.status = "running";
      model.exercise.clock = data.clock;
      break;
    case "exercise.paused":
      model.exercise.status = "paused";
      model.exercise.clock = data.clock;
      break;
    case "exercise.ended":
      model.exercise.status = "ended";
      model.exercise.clock = data.clock;
      break;
    case "clock.speed_changed":
    case "clock.jumped":
      model.exercise.clock = data.clock;
      break;
    case "participant.added":
      model.participants[data.participant] = {
        id: data.participant,
        name: data.name,
        team: data.team,
        role: data.role,
        staff: data.staff,
        online: false,
        revoked: false,
        generation: 1,
        connections: [],
        snapshotOnline: false,
      };
      break;
    case "credential.issued":
    case "credential.revoked": {
      const p = participant(model, data.participant);
      if (p) {
        p.revoked = kind === "credential.revoked";
        p.generation = data.generation;
      }
      break;
    }
    case "connection.opened": {
      const p = participant(model, data.participant);
      if (p) {
        entry.wasOnline = isOnline(p);
        if (!p.connections.includes(data.connection)) p.connections.push(data.connection);
        entry.online = true;
      }
      break;
    }
    case "connection.closed": {
      const p = participant(model, data.participant);
      if (p) {
        const index = p.connections.indexOf(data.connection);
        if (index >= 0) p.connections.splice(index, 1);
        else p.snapshotOnline = false; // a connection the snapshot counted as "online"
        entry.online = isOnline(p);
      }
      break;
    }
    case "message.posted":
      model.feed.push({ key: `seq-${seq}`, seq, at, author: data.author, channel: "team", team: data.team, text: data.text });
      break;
    case "announcement.made":
      model.feed.push({
        key: `seq-${seq}`,
        seq,
        at,
        author: data.author,
        channel: "announcement",
        audience: data.audience,
        text: data.text,
      });
      break;
    default:
      applyPlay(model, frame);
      break;
  }
}

// -- simulated time -----------------------------------------------------------------------

const DAY = 86400;

/** Simulated seconds now, from the clock {sim_anchor, wall_anchor, speed, running}. */
export function simNow(clock, wallNow) {
  if (!clock.running) return clock.sim_anchor;
  return clock.sim_anchor + Math.max(0, wallNow - clock.wall_anchor) * clock.speed;
}

/** "D1 08:30" for seconds since D1 00:00 (minutes rounded down), as the server writes it. */
export function formatSim(seconds) {
  const whole = Math.floor(seconds);
  const day = Math.floor(whole / DAY);
  const rest = whole - day * DAY;
  const hh = String(Math.floor(rest / 3600)).padStart(2, "0");
  const mm = String(Math.floor((rest % 3600) / 60)).padStart(2, "0");
  return `D${day + 1} ${hh}:${mm}`;
}

/** Parse "D2 08:30" into seconds, or null. */
export function parseSim(text) {
  const match = /^\s*D(\d+)\s*[T ]\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const [day, hour, minute] = match.slice(1).map(Number);
  if (day < 1 || hour > 23 || minute > 59) return null;
  return (day - 1) * DAY + hour * 3600 + minute * 60;
}

// -- names --------------------------------------------------------------------------------

export function teamName(model, id) {
  if (!id) return "Staff";
  return model.teams.find((t) => t.id === id)?.name ?? id;
}

export function roleName(model, id) {
  const staffRoles = { director: "Director", controller: "Controller", simcell: "SimCell", mentor: "Mentor", observer: "Observer" };
  return model.roles.find((r) => r.id === id)?.name ?? staffRoles[id] ?? id;
}

export function agencyName(model, id) {
  if (!id) return "";
  for (const country of model.catalogue?.countries ?? []) {
    const found = country.agencies.find((a) => a.id === id);
    if (found) return found.name;
  }
  return id;
}

/**
 * Who acted on a request, as this viewer may know them: a teammate by name; someone of another
 * country by the name and agency the server signed the step with (the agency alone for SimCell).
 */
export function signedName(model, id, name, agency) {
  const known = model.participants[id] ?? (model.me.participant === id ? model.me : null);
  const office = agencyName(model, agency);
  if (known) return office && !known.staff && known.team !== model.me.team ? `${known.name} (${office})` : known.name;
  if (name) return office ? `${name} (${office})` : name;
  return office || "Exercise control";
}

export function authorName(model, id) {
  const p = model.participants[id];
  if (p) return p.name;
  if (model.me.participant === id) return model.me.name;
  return "Exercise control";
}
