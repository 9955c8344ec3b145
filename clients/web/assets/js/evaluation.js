// Evaluation in the view model (model.evaluation): for staff, the evaluators' observations, the
// scorecards, the questionnaires with their answers and the improvement plan; for a participant,
// only the questionnaires open now. Built from the welcome's `evaluation` and kept up to date by
// the events of evaluation (docs/protocol.md), which reach a participant only when they are
// about a questionnaire being opened or closed, or their own named answer.

export function evaluationFromSnapshot(snap) {
  const shown = snap.evaluation ?? { questionnaires: [] };
  if (!("scale" in shown)) return { staff: false, questionnaires: shown.questionnaires, version: 0 };
  return {
    staff: true,
    version: 0,
    scale: shown.scale,
    objectives: shown.objectives,
    observations: shown.observations,
    older: shown.observations_older,
    questionnaires: shown.questionnaires,
    responses: shown.responses,
    improvements: shown.improvements,
  };
}

const KINDS = new Set([
  "observation.recorded", "observation.edited", "observation.withdrawn",
  "questionnaire.opened", "questionnaire.closed", "feedback.given",
  "improvement.recorded", "improvement.edited", "improvement.withdrawn",
]);

/** Fold one event of evaluation into the model; other events are left alone. */
export function applyEvaluation(model, frame) {
  const { kind, data, seq } = frame;
  if (!KINDS.has(kind)) return;
  const ev = model.evaluation ?? (model.evaluation = { staff: false, questionnaires: [], version: 0 });
  ev.version += 1;
  if (!ev.staff) return participantEvent(ev, kind, data);
  switch (kind) {
    case "observation.recorded":
      ev.observations.push({ id: data.observation, ...data, seq, edited_at: null, withdrawn: false });
      break;
    case "observation.edited": {
      const found = ev.observations.find((o) => o.id === data.observation);
      if (found) Object.assign(found, { rating: data.rating, text: data.text, edited_at: data.sim_time });
      break;
    }
    case "observation.withdrawn": {
      const found = ev.observations.find((o) => o.id === data.observation);
      if (found) found.withdrawn = true;
      break;
    }
    case "questionnaire.opened":
    case "questionnaire.closed": {
      const form = ev.questionnaires.find((q) => q.id === data.questionnaire);
      if (form) Object.assign(form, { open: kind === "questionnaire.opened", round: data.round });
      break;
    }
    case "feedback.given": {
      const response = { ...data, seq };
      const same = (r) => r.participant && r.participant === data.participant && r.questionnaire === data.questionnaire && r.round === data.round;
      const index = ev.responses.findIndex(same);
      if (index >= 0) ev.responses.splice(index, 1);
      ev.responses.push(response);
      break;
    }
    case "improvement.recorded":
      ev.improvements.push({ id: data.improvement, ...data, seq });
      break;
    case "improvement.edited": {
      const found = ev.improvements.find((i) => i.id === data.improvement);
      if (found) Object.assign(found, { text: data.text, owner: data.owner, due: data.due, team: data.team, objective: data.objective });
      break;
    }
    case "improvement.withdrawn":
      ev.improvements = ev.improvements.filter((i) => i.id !== data.improvement);
      break;
  }
}

function participantEvent(ev, kind, data) {
  if (kind === "questionnaire.opened") {
    ev.questionnaires = ev.questionnaires.filter((q) => q.id !== data.questionnaire);
    ev.questionnaires.push({
      id: data.questionnaire,
      title: data.title,
      intro: data.intro,
      anonymous: data.anonymous,
      questions: data.questions,
      round: data.round,
      answered: false,
    });
  } else if (kind === "questionnaire.closed") {
    ev.questionnaires = ev.questionnaires.filter((q) => q.id !== data.questionnaire);
  } else if (kind === "feedback.given") {
    const form = ev.questionnaires.find((q) => q.id === data.questionnaire && q.round === data.round);
    if (form) form.answered = true;
  }
}

/** Each evaluator's latest rating per objective for one team, and the counts per level
 * (the rule of the server's scorecard: an edit is the evaluator's latest word). */
export function scorecard(ev, team) {
  const order = (o) => [o.edited_at ?? o.sim_time, o.seq];
  const rows = ev.objectives.map((objective) => {
    const about = ev.observations.filter((o) => o.team === team && o.objective === objective.id && !o.withdrawn);
    const rated = about.filter((o) => o.rating).sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1];
    });
    const latest = {};
    for (const o of rated) latest[o.author] = o.rating;
    const counts = Object.fromEntries(ev.scale.map((level) => [level.code, 0]));
    for (const rating of Object.values(latest)) counts[rating] = (counts[rating] ?? 0) + 1;
    return { objective, latest, counts, observations: about.length };
  });
  return rows;
}

/** The results of one round of a questionnaire, from the answers the page holds. */
export function results(form, round, responses) {
  const mine = responses.filter((r) => r.questionnaire === form.id && r.round === round);
  const questions = form.questions.map((q) => {
    const given = mine.flatMap((r) => r.answers.filter((a) => a.question === q.id));
    const counts = {};
    if (q.kind === "rating") for (let v = q.low; v <= q.high; v += 1) counts[v] = 0;
    if (q.kind === "choice") for (const choice of q.choices) counts[choice] = 0;
    for (const a of given) {
      const key = q.kind === "rating" ? a.rating : a.value;
      if (q.kind !== "text" && key in counts) counts[key] += 1;
    }
    const ratings = given.map((a) => a.rating).filter((v) => typeof v === "number");
    const mean = ratings.length ? Math.round((ratings.reduce((s, v) => s + v, 0) / ratings.length) * 100) / 100 : null;
    const texts = q.kind === "text" ? given.map((a) => a.value) : [];
    return { question: q, answered: given.length, counts, mean, texts };
  });
  return { responses: mine.length, questions };
}
