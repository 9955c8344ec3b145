// The play of an exercise as plain data: injects (the MSEL for staff), cross-border requests,
// the case file, actions, and the team's channel with control. `applyPlay` folds one event in;
// the helpers answer what the pages ask (what may I issue to whom, what is overdue ...).
// The rules here only choose what to offer: the server decides (docs/protocol.md).

import { addFeedItem } from "./feed.js";
import { humanize } from "./labels.js";

export const REQUEST_STATUS = {
  draft: "Draft",
  validated: "Validated",
  sent: "Sent",
  acknowledged: "Acknowledged",
  clarification_requested: "Clarification asked",
  clarified: "Clarified",
  answered: "Answered",
  partially_answered: "Partly answered",
  refused: "Refused",
  withdrawn: "Withdrawn",
};
export const CLOSED = new Set(["answered", "partially_answered", "refused", "withdrawn"]);
export const OUTBOX = new Set(["draft", "validated"]);
export const RECEIVED = new Set(["sent", "acknowledged", "clarification_requested", "clarified"]);
export const EVIDENTIAL = {
  intelligence: "Intelligence",
  evidence: "Evidence",
  intelligence_consent_required: "Intelligence · consent needed for evidence",
};

export function emptyPlay(model) {
  model.injects = {};
  model.requests = {};
  model.caseFile = {};
  model.actions = [];
  model.responses = null; // staff: the scenario's SimCell templates, from exercise.created
  model.artefactTitles = {}; // staff: every artefact's title, from exercise.created
  model.resync = false;
  model.requestsBefore = null; // where older requests page back from (history of requests)
  model.requestsOlderInFlight = 0; // of those, in flight when the welcome came
  model.requestsOlderInFlightIds = []; // those the welcome named, not fetched yet
  model.requestsWanted = []; // requests a live event named that the page does not hold: fetched
  model.requestsAsOf = {}; // a fetched request's seq: the events up to it are in it already
}

export function playFromSnapshot(model, snap) {
  emptyPlay(model);
  for (const row of snap.msel ?? []) model.injects[row.id] = { ...row, opened: [], releases: [] };
  for (const i of snap.injects ?? []) {
    const me = model.me.participant;
    const known = model.injects[i.id] ?? { status: "released", audience: null, acknowledged: [], opened: [], releases: [] };
    model.injects[i.id] = {
      ...known,
      ...i,
      opened: i.opened ? [me] : known.opened,
      acknowledged: i.acknowledged ? [me] : known.acknowledged,
    };
  }
  for (const r of snap.requests ?? []) model.requests[r.id] = { ...r };
  model.requestsBefore = snap.requests_before ?? null;
  model.requestsOlderInFlight = snap.requests_older_in_flight ?? 0;
  // The welcome names them (the newest 200): read by id at once, not found by paging back.
  model.requestsOlderInFlightIds = [...(snap.requests_older_in_flight_ids ?? [])];
  for (const id of model.requestsOlderInFlightIds) wantRequest(model, id);
  for (const item of snap.case_file ?? []) model.caseFile[item.id] = { ...item, shares: [] };
  model.actions = (snap.actions ?? []).map((a) => ({ ...a }));
}

function audienceOfScenario(audience = {}) {
  if (audience.everyone) return { everyone: true, teams: [], roles: [], participants: [], team_roles: [] };
  const teams = new Set();
  const roles = new Set();
  const teamRoles = new Set();
  for (const r of audience.recipients ?? []) {
    if (r.team === null || r.team === undefined) for (const role of r.roles ?? []) roles.add(role);
    else if (!(r.roles ?? []).length) teams.add(r.team);
    else for (const role of r.roles) teamRoles.add(`${r.team}/${role}`);
  }
  return { everyone: false, teams: [...teams], roles: [...roles], participants: [], team_roles: [...teamRoles] };
}

function fieldsOf(list) {
  const out = {};
  for (const f of list ?? []) {
    out[f.key] = f.text ?? f.number ?? f.flag ?? f.items ?? null;
  }
  return out;
}

/**
 * A request the page does not hold: sent to us (its form was a draft of the other team's), or
 * older than the welcome's. The page fetches it as it is now (`history` of `requests` by id).
 */
export function wantRequest(model, id) {
  model.requestsWanted ??= []; // a view saved by an earlier version of the page
  if (!model.requestsWanted.includes(id)) model.requestsWanted.push(id);
}

/** Requests from a `history` page or fetch, as of `seq`: held from now on, newer events fold in. */
export function holdRequests(model, requests, seq) {
  model.requestsAsOf ??= {};
  for (const r of requests) {
    model.requests[r.id] = { ...r };
    model.requestsAsOf[r.id] = seq;
  }
}

/** A request moves to `status`; its history grows by a step of `shown` (an amendment is a
 * `clarified` step by the amender, though the request goes back to acknowledged or sent). */
function step(model, data, status, changes = {}, note = "", shown = status) {
  const request = model.requests[data.request];
  if (!request) {
    wantRequest(model, data.request);
    return;
  }
  Object.assign(request, changes);
  request.status = status;
  request.history = [...(request.history ?? []), { status: shown, by: data.by, by_name: data.by_name ?? "", by_agency: data.by_agency ?? "", sim_time: data.sim_time, note }];
}

function artefactArrives(model, id, changes) {
  const known = model.caseFile[id];
  if (known) {
    Object.assign(known, changes.shares ? { shares: [...(known.shares ?? []), ...changes.shares] } : {});
    return;
  }
  const title = model.artefactTitles[id];
  model.caseFile[id] = { id, title: title ?? null, scope: "released", shares: [], pending: !title, ...changes };
  if (!model.me.staff) model.resync = true; // its text is only in a snapshot
}

export function applyPlay(model, frame) {
  const { kind, data, seq, at } = frame;
  const me = model.me.participant;
  if (kind.startsWith("request.") && seq <= (model.requestsAsOf?.[data.request] ?? 0)) return; // fetched after it
  switch (kind) {
    case "exercise.created": {
      const scenario = data.scenario ?? {};
      model.responses = scenario.responses ?? [];
      for (const a of scenario.artefacts ?? []) model.artefactTitles[a.id] = a.title;
      for (const i of scenario.injects ?? []) {
        if (model.injects[i.id]) continue;
        model.injects[i.id] = {
          id: i.id,
          title: i.title,
          body: i.body,
          channel: i.channel,
          sender: i.sender,
          status: "planned",
          at: i.at ?? null,
          released_at: null,
          audience: audienceOfScenario(i.audience),
          triggered: Boolean(i.trigger),
          adhoc: false,
          releases: i.releases ?? [],
          opened: [],
          acknowledged: [],
          roleplay: i.roleplay ?? "",
          stand_in: i.stand_in_for ? { team: i.stand_in_for, request: { instrument: i.trigger?.instrument ?? null, from: i.trigger?.source ?? null, to: i.trigger?.target ?? null } } : null,
        };
      }
      break;
    }
    case "inject.released": {
      const known = model.injects[data.inject];
      model.injects[data.inject] = {
        opened: [],
        acknowledged: [],
        triggered: false,
        at: data.sim_time,
        ...known,
        id: data.inject,
        title: data.title,
        body: data.body,
        channel: data.channel,
        sender: data.sender,
        audience: data.audience,
        releases: data.releases,
        status: "released",
        released_at: data.sim_time,
        adhoc: known ? known.adhoc : data.reason === "adhoc",
        seq,
      };
      for (const id of data.releases ?? []) artefactArrives(model, id, { released_by: data.inject, sim_time: data.sim_time });
      break;
    }
    case "inject.held":
    case "inject.hold_lifted":
    case "inject.skipped": {
      const row = model.injects[data.inject];
      if (row) row.status = { "inject.held": "held", "inject.hold_lifted": "planned", "inject.skipped": "skipped" }[kind];
      break;
    }
    case "inject.retimed":
      if (model.injects[data.inject]) model.injects[data.inject].at = data.at;
      break;
    case "inject.edited":
      if (model.injects[data.inject]) Object.assign(model.injects[data.inject], { title: data.title, body: data.body });
      break;
    case "inject.opened":
    case "inject.acknowledged": {
      const row = model.injects[data.inject];
      if (!row) break;
      if (!row.opened.includes(data.participant)) row.opened = [...row.opened, data.participant];
      if (kind === "inject.acknowledged" && !row.acknowledged.includes(data.participant)) {
        row.acknowledged = [...row.acknowledged, data.participant];
      }
      break;
    }
    case "request.drafted":
      model.requests[data.request] = {
        id: data.request,
        instrument: data.instrument,
        from: data.source_team,
        author: data.author,
        author_name: data.author_name ?? "",
        author_agency: data.author_agency ?? "",
        to: data.target_team,
        agency: data.target_agency,
        status: "draft",
        urgent: data.urgent,
        spontaneous: data.spontaneous,
        simcell: data.simcell,
        subject: data.subject ?? "",
        fields: fieldsOf(data.fields),
        history: [{ status: "draft", by: data.author, by_name: data.author_name ?? "", by_agency: data.author_agency ?? "", sim_time: data.sim_time, note: "" }],
        validated_by: null,
        due_at: null,
        due_stage: "",
        legal: "",
        warned: [],
        answer: "",
        ground: "",
        seq,
      };
      break;
    case "request.updated":
      step(model, data, "draft", { fields: fieldsOf(data.fields), urgent: data.urgent, validated_by: null, ...(typeof data.subject === "string" ? { subject: data.subject } : {}) });
      break;
    case "request.validated":
      step(model, data, "validated", { validated_by: data.by });
      break;
    case "request.sent":
      step(model, data, "sent", { due_at: data.due_at, due_stage: data.due_stage, legal: data.legal, deadlines: (data.deadlines ?? []).map((d) => ({ stage: d.stage, due_at: d.due_at, legal: d.legal, warned: [] })) });
      break;
    case "request.amended": {
      const request = model.requests[data.request];
      const back = request?.history?.some((h) => h.status === "acknowledged") ? "acknowledged" : "sent";
      step(model, data, back, request ? { fields: fieldsOf(data.fields), amendments: [...(request.amendments ?? []), { by: data.by, by_name: data.by_name ?? "", by_agency: data.by_agency ?? "", sim_time: data.sim_time, wall_time: data.wall_time, note: data.note, changes: data.changes.map((c) => ({ key: c.key, old: c.old ? fieldsOf([c.old])[c.key] : null, new: c.new ? fieldsOf([c.new])[c.key] : null })) }] } : {}, data.note || "(amended)", "clarified");
      break;
    }
    case "request.consent_granted": {
      const request = model.requests[data.request];
      if (request) request.consents = [...(request.consents ?? []), { by: data.by, side: data.side, uses: data.uses, sim_time: data.sim_time, note: data.note }];
      else wantRequest(model, data.request);
      if (!model.me.staff) model.resync = true; // the items it covers show their consent from a snapshot
      break;
    }
    case "request.acknowledged":
      step(model, data, "acknowledged");
      break;
    case "request.clarification_requested":
      step(model, data, "clarification_requested", {}, data.text);
      break;
    case "request.clarified":
      step(model, data, "clarified", {}, data.text);
      break;
    case "request.answered":
      step(model, data, data.partial ? "partially_answered" : "answered", { answer: data.text, releases: data.releases, release_at: data.release_at }, data.text);
      break;
    case "request.refused":
      step(model, data, "refused", { ground: data.ground, answer: data.text }, data.text);
      break;
    case "request.withdrawn":
      step(model, data, "withdrawn");
      break;
    case "request.deadline": {
      const request = model.requests[data.request];
      const stage = data.stage || request?.due_stage;
      const due = request?.deadlines?.find((d) => d.stage === stage);
      if (due && !(due.warned ?? []).includes(data.warning)) due.warned = [...(due.warned ?? []), data.warning];
      if (request && stage === request.due_stage && !request.warned.includes(data.warning)) request.warned = [...request.warned, data.warning];
      else if (!request) wantRequest(model, data.request);
      break;
    }
    case "artefact.released":
      artefactArrives(model, data.artefact, { released_by: data.source, sim_time: data.sim_time });
      break;
    case "artefact.changed": {
      // an inject changed it (destroyed, degraded, moved): the holders see its new state
      const item = model.caseFile[data.artefact];
      const condition = { state: data.condition, note: data.note, sim_time: data.sim_time };
      if (data.location !== null && data.location !== undefined) condition.location = data.location;
      if (item) item.condition = condition;
      else model.resync = true;
      break;
    }
    case "artefact.shared":
      if (model.me.staff || data.to_team === model.me.team || model.caseFile[data.artefact]) {
        artefactArrives(model, data.artefact, {
          sim_time: data.sim_time,
          shares: [{ from: data.from_team, to: data.to_team, by: data.by, request: data.request }],
        });
      }
      break;
    case "action.taken":
      model.actions.push({ ...data, seq, at });
      break;
    case "action.flagged": {
      // Staff only: the evaluators' flags on the action just taken.
      const taken = model.actions.findLast((a) => a.participant === data.participant && a.action === data.action);
      if (taken) taken.flags = data.flags;
      break;
    }
    case "message.control":
      addFeedItem(model, { key: `seq-${seq}`, seq, at, sim_time: data.sim_time ?? null, thread: `control:${data.team}`, author: data.author, channel: "control", team: data.team, text: data.text, from_control: data.from_control });
      break;
    case "message.prompt":
      addFeedItem(model, { key: `seq-${seq}`, seq, at, sim_time: data.sim_time ?? null, thread: `prompt:${data.team}`, author: data.author, channel: "prompt", team: data.team, text: data.text });
      break;
    default:
      break;
  }
  void me;
}

// -- what the catalogue allows ----------------------------------------------------------------

export function roleCaps(model, roleId) {
  return new Set(model.catalogue?.roles.find((r) => r.id === roleId)?.capabilities ?? []);
}

export function instrument(model, id) {
  return model.catalogue?.instruments.find((i) => i.id === id) ?? null;
}

export function countryOf(model, teamId) {
  return model.teams.find((t) => t.id === teamId)?.country ?? null;
}

/** Instruments this role may issue or draft from its team towards `teamId`. */
export function instrumentsTowards(model, teamId) {
  const caps = roleCaps(model, model.me.role);
  const from = countryOf(model, model.me.team);
  const to = countryOf(model, teamId);
  const pair = model.catalogue?.available.find((a) => a.from === from && a.to === to);
  return (pair?.instruments ?? [])
    .filter((id) => caps.has(`issue:${id}`) || caps.has(`draft:${id}`))
    .map((id) => instrument(model, id))
    .filter(Boolean);
}

/** Teams this role may address with at least one instrument: other teams, and its own team
 * for a domestic instrument when its country plays as one team (team id = country id). */
export function reachableTeams(model) {
  return model.teams.filter(
    (t) => (t.id !== model.me.team || t.id === t.country) && instrumentsTowards(model, t.id).length > 0,
  );
}

/** A role that receives such a request: it sees it, acknowledges it and asks about it. */
export function mayReceive(model, request) {
  const caps = roleCaps(model, model.me.role);
  const role = model.catalogue?.roles.find((r) => r.id === model.me.role);
  const inst = instrument(model, request.instrument);
  return caps.has(`answer:${request.instrument}`) || caps.has(`receive:${request.instrument}`) || Boolean(inst && role?.agency_types.includes(inst.receiver));
}

/** A role that answers it: `answer:`, or it works for the receiver and names neither `receive:`
 * nor `answer:` for the instrument (the server's rule, server.core.requests.may_answer). */
export function mayAnswer(model, request) {
  const caps = roleCaps(model, model.me.role);
  if (caps.has(`answer:${request.instrument}`)) return true;
  const role = model.catalogue?.roles.find((r) => r.id === model.me.role);
  const inst = instrument(model, request.instrument);
  return !caps.has(`receive:${request.instrument}`) && Boolean(inst && role?.agency_types.includes(inst.receiver));
}

export function canSee(participant, audience) {
  if (!audience) return false;
  return Boolean(
    audience.everyone ||
      (participant.team && (audience.teams ?? []).includes(participant.team)) ||
      (audience.roles ?? []).includes(participant.role) ||
      (audience.participants ?? []).includes(participant.id) ||
      (participant.team && (audience.team_roles ?? []).includes(`${participant.team}/${participant.role}`)),
  );
}

/** The participants (not staff) an inject is for. */
export function recipients(model, row) {
  return Object.values(model.participants).filter((p) => !p.staff && canSee(p, row.audience));
}

// -- SimCell proposals ------------------------------------------------------------------------------

function missingRequired(inst, fields) {
  return (inst?.fields ?? []).some((f) => f.required && (fields[f.key] === undefined || fields[f.key] === null || fields[f.key] === ""));
}

function ruleHolds(rule = {}, inst, request) {
  const fields = request.fields ?? {};
  if (rule.missing_required !== undefined && rule.missing_required !== null && rule.missing_required !== missingRequired(inst, fields)) return false;
  if (rule.urgent !== undefined && rule.urgent !== null && rule.urgent !== request.urgent) return false;
  const value = rule.field ? fields[rule.field] : undefined;
  if (rule.field && (value === undefined || value === null)) return false;
  if (rule.min_length !== undefined && rule.min_length !== null && value !== undefined && String(typeof value === "string" ? value : "").length < rule.min_length) return false;
  if ((rule.includes_any ?? []).length && value !== undefined) {
    const have = Array.isArray(value) ? value : [value];
    if (!rule.includes_any.some((x) => have.includes(x))) return false;
  }
  if ((rule.mentions_any ?? []).length) {
    const text = Object.values(fields).map((v) => (Array.isArray(v) ? v.join(",") : String(v))).join(" ");
    if (!rule.mentions_any.some((m) => text.includes(m))) return false;
  }
  return true;
}

/**
 * What the scenario's templates propose for a SimCell request: {outcome, text, releases, delay},
 * null when none fits, undefined when this page does not know the templates. The snapshot's
 * `proposal` (for staff) is used when this page started from one.
 */
export function proposalFor(model, request) {
  if (model.responses) {
    const inst = instrument(model, request.instrument);
    for (const t of model.responses) {
      if (t.instrument !== request.instrument) continue;
      if (t.target !== request.to && t.target !== request.agency) continue;
      if (t.source !== undefined && t.source !== null && t.source !== request.from) continue;
      for (const o of t.outcomes ?? []) {
        if (ruleHolds(o.when, inst, request)) return { outcome: o.outcome, text: o.text ?? "", releases: o.releases ?? [], delay: o.delay ?? null };
      }
    }
    return null;
  }
  return request.proposal;
}

export function delayText(delay) {
  if (!delay) return "at once";
  if (delay.anchor) return delay.anchor.replaceAll("_", " ");
  const minutes = Math.round((delay.seconds ?? 0) / 60);
  return minutes >= 60 ? `after ${Math.floor(minutes / 60)} h ${minutes % 60 ? `${minutes % 60} min` : ""}`.trim() : `after ${minutes} min`;
}

const UNANSWERED = new Set(["sent", "acknowledged", "clarified"]);

const EARLY_STAGES = new Set(["sent", "acknowledged", "clarification_requested"]);

/** When a request's answer is owed: the latest deadline only an answer meets, else `due_at`. */
export function answerDue(request) {
  const late = (request.deadlines ?? []).filter((d) => !EARLY_STAGES.has(d.stage)).map((d) => d.due_at);
  return late.length ? Math.max(...late) : request.due_at;
}

/**
 * A scripted answer standing in for a played team (staff): the requests it waits for, which the
 * team still owes an answer to, and the game deadline at which it fires unless the team answers
 * (the server decides; this only shows it). Null when the inject is no stand-in or not pending.
 */
export function pendingStandIn(model, row) {
  const spec = row.stand_in;
  if (!spec || row.status !== "planned") return null;
  const { instrument: inst, from, to } = spec.request ?? {};
  const waiting = Object.values(model.requests).filter(
    (r) => !r.simcell && UNANSWERED.has(r.status) && answerDue(r) !== null && answerDue(r) !== undefined && (!inst || r.instrument === inst) && (!from || r.from === from) && (!to || r.to === to || r.agency === to),
  );
  const due = waiting.length ? Math.min(...waiting.map((r) => answerDue(r))) : null;
  return { team: spec.team, waiting: waiting.map((r) => r.id), due };
}

/** A key or value as people read it ("dual_criminality" → "Dual criminality"): labels.js. */
export function words(id) {
  return humanize(id);
}

/** A draft withdrawn before it was ever sent: out of every list and count. */
export function isAbandoned(request) {
  return request.status === "withdrawn" && !(request.history ?? []).some((s) => s.status === "sent");
}
