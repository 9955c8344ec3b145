// The staff's evaluation panels. On the observer dashboard (evaluators, mentors, observers): record,
// edit and withdraw observations rated on the scenario's scale, a team's scorecard, the list of
// observations, and the improvement plan. On the console (control): open and close the
// scenario's questionnaires, read their results round by round, and the improvement plan. Each
// panel builds its own section at the end of the page's last column; the pages call
// `renderEvaluatorPanel(ctx)` / `renderControlPanel(ctx)` from their render.

import { run } from "./app.js";
import { $, el, rebuildKeeping, replaceIfChanged, setText } from "./dom.js";
import { results, scorecard } from "./evaluation.js";
import { authorName, formatSim, teamName } from "./model.js";
import { exerciseOf } from "./report.js";
import { loadSession } from "./session.js";

const EVALUATING = ["evaluator", "mentor", "director", "controller"];
const CONTROL = ["director", "controller"];

function section(id, title) {
  let panel = document.getElementById(id);
  if (panel) return panel;
  const host = document.querySelector("#main > .col:last-of-type") ?? $("#main");
  panel = el("section", { class: "panel evaluation-panel", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title));
  host.append(panel);
  return panel;
}

function options(items, value, label, first) {
  return [...(first ? [el("option", { value: "" }, first)] : []), ...items.map((item) => el("option", { value: value(item) }, label(item)))];
}

function ratingLabel(ev, code) {
  if (!code) return "not rated";
  const level = ev.scale.find((l) => l.code === code);
  return level ? `${code} · ${level.label}` : code;
}

// -- observer dashboard -----------------------------------------------------------------

export function renderEvaluatorPanel(ctx) {
  const { model } = ctx;
  const ev = model.evaluation;
  if (!ev?.staff) return;
  const panel = section("evaluator-panel", "Evaluation");
  if (!panel.dataset.wired) wireEvaluator(ctx, panel);
  const canEvaluate = EVALUATING.includes(model.me.role);
  $("#observation-form", panel).hidden = !canEvaluate;
  replaceIfChanged($("#observation-team", panel), JSON.stringify(model.teams), () => options(model.teams, (t) => t.id, (t) => t.name));
  replaceIfChanged($("#observation-objective", panel), JSON.stringify(ev.objectives), () => options(ev.objectives, (o) => o.id, (o) => `${o.id} · ${o.title}`));
  replaceIfChanged($("#observation-rating", panel), JSON.stringify(ev.scale), () => options(ev.scale, (l) => l.code, (l) => `${l.code} · ${l.label}`, "Not rated"));
  replaceIfChanged($("#scorecard-team", panel), JSON.stringify(model.teams), () => options(model.teams, (t) => t.id, (t) => t.name));
  renderScorecard(model, panel, ctx);
  renderObservations(model, panel);
  renderImprovements(ctx, panel, canEvaluate);
}

function wireEvaluator(ctx, panel) {
  panel.dataset.wired = "1";
  panel.append(
    el("form", { id: "observation-form", class: "stack" },
      el("div", { class: "inline" },
        el("label", { for: "observation-team" }, "Observed team"), el("select", { id: "observation-team" }),
        el("label", { for: "observation-objective" }, "Objective"), el("select", { id: "observation-objective" }),
        el("label", { for: "observation-rating" }, "Rating"), el("select", { id: "observation-rating" })),
      el("label", { for: "observation-text" }, "Observation ", el("span", { class: "muted small" }, "(staff only: never shown to participants)")),
      el("textarea", { id: "observation-text", rows: 2, maxlength: 4000, placeholder: "What the team did, against the objective" }),
      el("div", { class: "inline" },
        el("input", { id: "observation-inject", type: "text", placeholder: "Inject (optional)", "aria-label": "About inject", autocomplete: "off" }),
        el("input", { id: "observation-request", type: "text", placeholder: "Request (optional)", "aria-label": "About request", autocomplete: "off" }),
        el("button", { type: "submit", id: "observation-save" }, "Record observation"),
        el("button", { type: "button", id: "observation-cancel", class: "link", hidden: true }, "Cancel edit")),
      el("p", { id: "observation-error", class: "error", role: "alert", hidden: true })),
    el("h3", { class: "list-title" }, "Scorecard ", el("select", { id: "scorecard-team", "aria-label": "Scorecard of team" }), " ",
      el("button", { type: "button", id: "scorecard-refresh", class: "link small", title: "Compute the scenario's metrics again from the log" }, "Refresh metrics")),
    el("div", { class: "table-wrap" }, el("table", { class: "scorecard", id: "scorecard" })),
    el("h3", { class: "list-title", id: "observations-title" }, "Observations"),
    el("ol", { id: "observations", class: "observations", "aria-label": "Observations" }),
    el("p", { id: "observations-empty", class: "empty muted" }, "No observation yet."),
  );
  const form = $("#observation-form", panel);
  const reset = () => {
    delete form.dataset.editing;
    $("#observation-text", panel).value = "";
    $("#observation-inject", panel).value = "";
    $("#observation-request", panel).value = "";
    setText($("#observation-save", panel), "Record observation");
    $("#observation-cancel", panel).hidden = true;
    for (const id of ["#observation-team", "#observation-objective", "#observation-inject", "#observation-request"]) $(id, panel).disabled = false;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#observation-text", panel).value.trim();
    const rating = $("#observation-rating", panel).value;
    const error = $("#observation-error", panel);
    const done = form.dataset.editing
      ? await run(ctx, "observation.edit", { observation: form.dataset.editing, text, rating }, error)
      : await run(ctx, "observation.record", {
          team: $("#observation-team", panel).value,
          objective: $("#observation-objective", panel).value,
          text,
          rating,
          inject: $("#observation-inject", panel).value.trim(),
          request: $("#observation-request", panel).value.trim(),
        }, error);
    if (done !== null) reset();
  });
  $("#observation-cancel", panel).addEventListener("click", reset);
  $("#scorecard-team", panel).addEventListener("change", () => ctx.render());
  $("#scorecard-refresh", panel).addEventListener("click", () => loadMetrics(ctx, $("#scorecard-team", panel).value || ctx.model.teams[0]?.id));
  panel.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-observation]");
    if (!button) return;
    const found = ctx.model.evaluation.observations.find((o) => o.id === button.dataset.observation);
    if (!found) return;
    if (button.dataset.action === "withdraw") {
      await run(ctx, "observation.withdraw", { observation: found.id }, $("#observation-error", panel));
      return;
    }
    form.dataset.editing = found.id;
    $("#observation-team", panel).value = found.team;
    $("#observation-objective", panel).value = found.objective;
    $("#observation-rating", panel).value = found.rating;
    $("#observation-text", panel).value = found.text;
    for (const id of ["#observation-team", "#observation-objective", "#observation-inject", "#observation-request"]) $(id, panel).disabled = true;
    setText($("#observation-save", panel), `Save ${found.id}`);
    $("#observation-cancel", panel).hidden = false;
    $("#observation-text", panel).focus();
  });
}

// The scenario's computed metrics per team (issue 13: "a per-team scorecard combines ratings and
// computed metrics"), from GET /api/exercises/{id}/report?format=json&team=T with this tab's staff
// session: loaded when a team is first shown and on "Refresh metrics" (a fold of the log each time).
const computed = { byTeam: new Map(), loading: new Set() };

async function loadMetrics(ctx, team) {
  const session = loadSession();
  if (!session || !team || computed.loading.has(team)) return;
  computed.loading.add(team);
  try {
    const exercise = encodeURIComponent(exerciseOf(session.token));
    const response = await fetch(`/api/exercises/${exercise}/report?format=json&team=${encodeURIComponent(team)}`, {
      headers: { Authorization: `Bearer ${session.token}` },
    });
    const body = await response.json().catch(() => ({}));
    computed.byTeam.set(team, response.ok ? { metrics: body.metrics ?? [], seq: body.seq } : { error: body.error?.message ?? response.statusText });
  } catch {
    computed.byTeam.set(team, { error: "the server could not be reached" });
  } finally {
    computed.loading.delete(team);
    ctx.render();
  }
}

function metricsText(found, objective, team) {
  if (!found) return "…";
  if (found.error) return `not computed: ${found.error}`;
  const lines = found.metrics
    .filter((m) => m.objectives.includes(objective))
    .flatMap((m) => m.results.filter((r) => r.team === team).map((r) => `${m.name}: ${r.text}${r.met === true ? " ✓ met" : r.met === false ? " ✗ not met" : ""}`));
  return lines.join("; ") || "–";
}

function renderScorecard(model, panel, ctx) {
  const ev = model.evaluation;
  const team = $("#scorecard-team", panel).value || model.teams[0]?.id;
  const rows = scorecard(ev, team);
  const found = computed.byTeam.get(team);
  if (!found && ctx) loadMetrics(ctx, team);
  const signature = JSON.stringify([team, ev.version, ev.scale, ev.objectives, found ?? null]);
  replaceIfChanged($("#scorecard", panel), signature, () => [
    el("thead", {}, el("tr", {}, el("th", {}, "Objective"), ...ev.scale.map((l) => el("th", { title: l.label }, l.code)), el("th", {}, "Latest by evaluator"), el("th", {}, "Observations"), el("th", { title: found?.seq ? `Computed from the log up to event ${found.seq}` : null }, "Computed metrics"))),
    el("tbody", {}, ...rows.map((row) => el("tr", { dataset: { objective: row.objective.id } },
      el("th", { scope: "row" }, `${row.objective.id} · ${row.objective.title}`),
      ...ev.scale.map((l) => el("td", { class: "count", dataset: { code: l.code } }, String(row.counts[l.code] ?? 0))),
      el("td", { class: "latest" }, Object.entries(row.latest).map(([who, rating]) => `${authorName(model, who)}: ${rating}`).join(", ") || "–"),
      el("td", { class: "count" }, String(row.observations)),
      el("td", { class: "computed" }, metricsText(found, row.objective.id, team)),
    ))),
  ]);
}

function renderObservations(model, panel) {
  const ev = model.evaluation;
  const shown = [...ev.observations].reverse();
  const signature = JSON.stringify([ev.version, shown.length, model.me.participant]);
  replaceIfChanged($("#observations", panel), signature, () => shown.map((o) => el("li", { class: `observation${o.withdrawn ? " withdrawn" : ""}`, dataset: { id: o.id } },
    el("div", { class: "observation-head" },
      el("strong", {}, o.id), " ",
      el("span", { class: "tag rating", dataset: { rating: o.rating } }, ratingLabel(ev, o.rating)), " ",
      el("span", { class: "muted" }, `${teamName(model, o.team)} · ${o.objective} · ${formatSim(o.sim_time)} · ${authorName(model, o.author)}`),
      o.withdrawn ? el("span", { class: "tag" }, " withdrawn") : null,
      o.edited_at !== null && !o.withdrawn ? el("span", { class: "muted small" }, " (edited)") : null),
    el("div", { class: "observation-text" }, o.text),
    o.author === model.me.participant && !o.withdrawn
      ? el("div", { class: "inline" },
          el("button", { type: "button", class: "link", dataset: { observation: o.id, action: "edit" } }, "Edit"),
          el("button", { type: "button", class: "link", dataset: { observation: o.id, action: "withdraw" } }, "Withdraw"))
      : null,
  )));
  $("#observations-empty", panel).hidden = shown.length > 0;
  setText($("#observations-title", panel), `Observations (${ev.observations.filter((o) => !o.withdrawn).length})`);
}

// -- the improvement plan (both pages) ----------------------------------------------------

function renderImprovements(ctx, panel, canEdit) {
  const { model } = ctx;
  const ev = model.evaluation;
  if (!$("#improvement-list", panel)) wireImprovements(ctx, panel);
  $("#improvement-form", panel).hidden = !canEdit;
  replaceIfChanged($("#improvement-team", panel), JSON.stringify(model.teams), () => options(model.teams, (t) => t.id, (t) => t.name, "Any team"));
  replaceIfChanged($("#improvement-objective", panel), JSON.stringify(ev.objectives), () => options(ev.objectives, (o) => o.id, (o) => o.id, "Any objective"));
  const signature = JSON.stringify([ev.version, ev.improvements.length, canEdit]);
  rebuildKeeping($("#improvement-list", panel), signature, () => ev.improvements.map((i) => el("li", { class: "improvement", dataset: { id: i.id } },
    el("strong", {}, i.id), " ", i.text,
    el("div", { class: "muted small" }, `Owner: ${i.owner} · due ${i.due}${i.team ? ` · ${teamName(model, i.team)}` : ""}${i.objective ? ` · ${i.objective}` : ""}`),
    canEdit ? el("button", { type: "button", class: "link", dataset: { improvement: i.id } }, "Withdraw") : null,
  )));
  $("#improvement-empty", panel).hidden = ev.improvements.length > 0;
}

function wireImprovements(ctx, panel) {
  panel.append(
    el("h3", { class: "list-title" }, "Improvement plan"),
    el("ol", { id: "improvement-list", class: "improvements", "aria-label": "Improvement plan" }),
    el("p", { id: "improvement-empty", class: "empty muted" }, "No recommendation yet."),
    el("form", { id: "improvement-form", class: "stack" },
      el("label", { for: "improvement-text" }, "Recommendation"),
      el("input", { id: "improvement-text", type: "text", maxlength: 4000, autocomplete: "off", placeholder: "What should change, for whom" }),
      el("div", { class: "inline" },
        el("input", { id: "improvement-owner", type: "text", maxlength: 200, autocomplete: "off", placeholder: "Owner", "aria-label": "Owner of the recommendation" }),
        el("input", { id: "improvement-due", type: "date", "aria-label": "Due date of the recommendation" }),
        el("select", { id: "improvement-team", "aria-label": "Recommendation for team" }),
        el("select", { id: "improvement-objective", "aria-label": "Recommendation for objective" }),
        el("button", { type: "submit" }, "Add to the plan")),
      el("p", { id: "improvement-error", class: "error", role: "alert", hidden: true })),
  );
  $("#improvement-form", panel).addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await run(ctx, "improvement.record", {
      text: $("#improvement-text", panel).value.trim(),
      owner: $("#improvement-owner", panel).value.trim(),
      due: $("#improvement-due", panel).value,
      team: $("#improvement-team", panel).value || null,
      objective: $("#improvement-objective", panel).value || null,
    }, $("#improvement-error", panel));
    if (done !== null) for (const id of ["#improvement-text", "#improvement-owner"]) $(id, panel).value = "";
  });
  $("#improvement-list", panel).addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-improvement]");
    if (button) await run(ctx, "improvement.withdraw", { improvement: button.dataset.improvement }, $("#improvement-error", panel));
  });
}

// -- console ------------------------------------------------------------------------------

export function renderControlPanel(ctx) {
  const { model } = ctx;
  const ev = model.evaluation;
  if (!ev?.staff) return;
  const panel = section("questionnaire-panel", "Questionnaires and improvement plan");
  if (!$("#questionnaire-list", panel)) {
    panel.append(
      el("ol", { id: "questionnaire-list", class: "questionnaires", "aria-label": "Questionnaires" }),
      el("p", { id: "questionnaire-error", class: "error", role: "alert", hidden: true }),
    );
    $("#questionnaire-list", panel).addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-questionnaire]");
      if (button) await run(ctx, button.dataset.command, { questionnaire: button.dataset.questionnaire }, $("#questionnaire-error", panel));
    });
  }
  const control = CONTROL.includes(model.me.role);
  const signature = JSON.stringify([ev.version, control, model.exercise.status]);
  replaceIfChanged($("#questionnaire-list", panel), signature, () => (ev.questionnaires.length ? ev.questionnaires : []).map((form) => el("li", { class: "questionnaire", dataset: { id: form.id } },
    el("div", { class: "inline" },
      el("strong", {}, form.title), " ",
      el("span", { class: "muted" }, `${form.anonymous ? "anonymous · " : ""}${form.when.replaceAll("_", " ")}`), " ",
      el("span", { class: "tag", dataset: { open: String(form.open) } }, form.open ? `open · round ${form.round}` : form.round ? `closed · ${form.round} round(s)` : "not opened"),
      control
        ? el("button", { type: "button", dataset: { questionnaire: form.id, command: form.open ? "questionnaire.close" : "questionnaire.open" } }, form.open ? "Close" : "Open")
        : null),
    ...Array.from({ length: form.round }, (_, i) => roundResults(form, form.round - i, ev.responses)),
  )));
  renderImprovements(ctx, panel, true);
}

function roundResults(form, round, responses) {
  const found = results(form, round, responses);
  return el("details", { class: "results", open: true, dataset: { round: String(round) } },
    el("summary", {}, `Round ${round}: ${found.responses} answer${found.responses === 1 ? "" : "s"}`),
    el("dl", {}, ...found.questions.flatMap((q) => [
      el("dt", {}, q.question.text),
      el("dd", { dataset: { question: q.question.id } },
        q.question.kind === "text"
          ? (q.texts.length ? el("ul", {}, ...q.texts.slice(-20).map((t) => el("li", {}, t))) : "–")
          : `${Object.entries(q.counts).map(([k, n]) => `${k}: ${n}`).join(" · ")}${q.mean !== null ? ` · mean ${q.mean}` : ""}`),
    ])),
  );
}
