// The view model: what a page shows, as plain data (it is saved in sessionStorage as JSON).
// `fromWelcome` builds it from a snapshot; `applyEvent` folds one event in. Items are keyed by
// the seq of the event that made them, so neither a replay nor a page of older history
// (history.js) can show one twice.
//
// Play (play.js folds those events): injects, requests, the case file, actions. Some facts reach
// a participant only in a snapshot (a request sent to the team: its form; an artefact released
// or shared: its text); `model.resync` then asks the page for a fresh snapshot.

import { addFeedItem, feedItemOf } from "./feed.js";
import { applyEvaluation, evaluationFromSnapshot } from "./evaluation.js";
import { applyPlay, playFromSnapshot } from "./play.js";

export const TIMELINE_LIMIT = 2000;

export const STATUS_LABELS = {
  draft: "Not started",
  ready: "Ready",
  running: "Running",
  paused: "Paused",
  ended: "Ended",
};

/**
 * The view of a snapshot-mode welcome. The snapshot is bounded: the latest messages of each
 * feed thread (`feed_older` names the threads with more, and the seq to page back from) and no
 * timeline at all; `history.js` loads older ones on demand (`timelineBefore`: the seq the
 * timeline pages back from, `timelineMore`: whether there is anything older).
 */
export function fromWelcome(welcome) {
  const snap = welcome.snapshot;
  const participants = {};
  for (const p of snap.participants) {
    participants[p.id] = { ...p, connections: [], snapshotOnline: Boolean(p.online) };
  }
  const model = {
    me: welcome.me,
    epoch: welcome.epoch,
    exercise: { ...snap.exercise },
    teams: snap.teams,
    roles: snap.roles,
    catalogue: snap.catalogue ?? null,
    participants,
    feed: [],
    older: { ...(snap.feed_older ?? {}) },
    timeline: [],
    timelineBefore: welcome.seq + 1,
    timelineMore: welcome.seq >= 1,
    timelineLimit: TIMELINE_LIMIT,
  };
  for (const item of snap.feed) addFeedItem(model, feedItemOf(model, item));
  playFromSnapshot(model, snap);
  model.evaluation = evaluationFromSnapshot(snap);
  return model;
}

/**
 * After a fresh snapshot of the same log (a station's own resync), keep what the page had and
 * the snapshot does not: the wall times of the messages (a snapshot carries none), the older
 * messages already loaded, and the timeline.
 */
export function carryOver(before, after) {
  if (!before || before.epoch !== after.epoch || before.me.participant !== after.me.participant) return;
  const times = new Map(before.feed.map((item) => [item.seq, item.at]));
  for (const item of after.feed) item.at = item.at ?? times.get(item.seq) ?? null;
  for (const [thread, cursor] of Object.entries(after.older)) {
    const loaded = before.feed.filter((item) => item.thread === thread && item.seq < cursor);
    if (!loaded.length) continue;
    for (const item of loaded) addFeedItem(after, item);
    if (thread in before.older) after.older[thread] = before.older[thread];
    else delete after.older[thread];
  }
  if (before.timeline.length) {
    Object.assign(after, {
      timeline: before.timeline,
      timelineBefore: before.timelineBefore,
      timelineMore: before.timelineMore,
      timelineLimit: before.timelineLimit,
    });
  }
}

function participant(model, id) {
  return model.participants[id] ?? null;
}

export function isOnline(p) {
  return p.snapshotOnline || p.connections.length > 0;
}

export function applyEvent(model, frame) {
  const { kind, data, seq, at } = frame;
  // Its simulated time: the event's own, else the clock's reading when it was stored.
  const clock = model.exercise.clock;
  const sim = typeof data?.sim_time === "number" ? data.sim_time : clock && at ? simNow(clock, at) : null;
  const entry = { seq, at, sim, kind, data };
  model.timeline.push(entry);
  const limit = model.timelineLimit ?? TIMELINE_LIMIT;
  if (model.timeline.length > limit) {
    // The oldest entries go; they can be loaded again (history.js pages back from here).
    model.timeline.splice(0, model.timeline.length - limit);
    model.timelineBefore = model.timeline[0].seq;
    model.timelineMore = true;
  }
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
      markJump(model, data.jump);
      break;
    case "clock.jump_skipped":
      markJump(model, data.jump);
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
      addFeedItem(model, { key: `seq-${seq}`, seq, at, sim_time: sim, thread: `team:${data.team}`, author: data.author, channel: "team", team: data.team, text: data.text });
      break;
    case "announcement.made":
      addFeedItem(model, {
        key: `seq-${seq}`,
        seq,
        at,
        sim_time: sim,
        author: data.author,
        channel: "announcement",
        audience: data.audience,
        text: data.text,
      });
      break;
    default:
      applyPlay(model, frame);
      applyEvaluation(model, frame);
      break;
  }
}

// -- simulated time -----------------------------------------------------------------------

const DAY = 86400;

/** Simulated seconds now, from the clock {sim_anchor, wall_anchor, speed, running}. */
/** A scheduled clock jump made or skipped (`exercise.jumps`). */
function markJump(model, id) {
  const jump = id ? (model.exercise.jumps ?? []).find((j) => j.id === id) : null;
  if (jump) jump.done = true;
}

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
  const staffRoles = { director: "Director", controller: "Controller", simcell: "SimCell", mentor: "Mentor", observer: "Observer", evaluator: "Evaluator" };
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
 * country by the name and agency the server signed the step with (the agency alone for SimCell);
 * a stand-in inject's answer (`by: "scenario"`) as the agency's, scripted by exercise control.
 */
export function signedName(model, id, name, agency) {
  const known = model.participants[id] ?? (model.me.participant === id ? model.me : null);
  const office = agencyName(model, agency);
  if (id === "scenario") return office ? `${office} (scripted by exercise control)` : "Exercise control";
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
