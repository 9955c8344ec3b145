// The questionnaire panel of the team station: the questionnaires control has opened, as forms
// (rating 1-5 or the scenario's range, a choice, free text), sent with `feedback.give`. A named
// answer can be given again (it replaces the first); an anonymous one is sent once: the server
// keeps nothing that says who sent it, so this browser remembers that it did (localStorage).

import { run } from "./app.js";
import { $, el, rebuildKeeping, setText } from "./dom.js";

const SENT_KEY = "liaison.feedback.";

function sentKey(model, form) {
  return `${SENT_KEY}${model.exercise.id}/${model.me.participant}/${form.id}/${form.round}`;
}

function sentHere(model, form) {
  try {
    return localStorage.getItem(sentKey(model, form)) === "1";
  } catch {
    return false;
  }
}

function rememberSent(model, form) {
  try {
    localStorage.setItem(sentKey(model, form), "1");
  } catch {
    // storage disabled: the form stays, and a second answer would count twice
  }
}

function panel() {
  let found = document.getElementById("questionnaire-station");
  if (found) return found;
  const host = document.querySelector("#main > .col") ?? $("#main");
  found = el("section", { class: "panel questionnaire-station", id: "questionnaire-station", "aria-labelledby": "questionnaire-station-title", hidden: true },
    el("h2", { id: "questionnaire-station-title" }, "Feedback"),
    el("div", { id: "questionnaire-forms" }));
  host.prepend(found);
  return found;
}

function question(form, q) {
  const id = `fb-${form.id}-${q.id}`;
  const label = el("label", { for: id, class: "question-text" }, q.text, q.required ? el("span", { class: "muted" }, " (required)") : null);
  if (q.kind === "rating") {
    const values = Array.from({ length: q.high - q.low + 1 }, (_, i) => q.low + i);
    return el("fieldset", { class: "question rating", dataset: { question: q.id } },
      el("legend", {}, q.text, q.required ? el("span", { class: "muted" }, " (required)") : null),
      el("div", { class: "inline" }, ...values.map((v) => el("label", { class: "rating-choice" },
        el("input", { type: "radio", name: id, id: `${id}-${v}`, value: String(v) }), ` ${v}`))));
  }
  if (q.kind === "choice") {
    return el("div", { class: "question choice", dataset: { question: q.id } }, label,
      el("select", { id }, el("option", { value: "" }, "–"), ...q.choices.map((c) => el("option", { value: c }, c))));
  }
  return el("div", { class: "question text", dataset: { question: q.id } }, label, el("textarea", { id, rows: 2, maxlength: 4000 }));
}

function answersOf(root, form) {
  const answers = {};
  for (const q of form.questions) {
    const id = `fb-${form.id}-${q.id}`;
    if (q.kind === "rating") {
      const checked = root.querySelector(`input[name="${CSS.escape(id)}"]:checked`);
      if (checked) answers[q.id] = Number(checked.value);
    } else {
      const value = root.querySelector(`#${CSS.escape(id)}`)?.value.trim();
      if (value) answers[q.id] = value;
    }
  }
  return answers;
}

export function renderQuestionnaires(ctx) {
  const { model } = ctx;
  const forms = model.evaluation?.questionnaires ?? [];
  const box = panel();
  box.hidden = forms.length === 0;
  const state = forms.map((f) => [f.id, f.round, f.answered, sentHere(model, f)]);
  rebuildKeeping($("#questionnaire-forms", box), JSON.stringify(state), () => forms.map((form) => {
    const done = form.answered || (form.anonymous && sentHere(model, form));
    const node = el("form", { class: "questionnaire-form stack", dataset: { questionnaire: form.id, round: String(form.round) } },
      el("h3", {}, form.title),
      form.anonymous ? el("p", { class: "muted small" }, "Anonymous: your answers carry neither your name nor your team.") : null,
      form.intro ? el("p", { class: "muted" }, form.intro) : null,
      done ? el("p", { class: "sent", role: "status" }, form.anonymous ? "Thank you: your answers were sent." : "Thank you: your answers were sent. You may change them while the questionnaire is open.") : null,
      ...(done && form.anonymous ? [] : form.questions.map((q) => question(form, q))),
      done && form.anonymous ? null : el("button", { type: "submit" }, done ? "Send again" : "Send answers"),
      el("p", { class: "error", role: "alert", hidden: true }));
    node.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = node.querySelector(".error");
      const sent = await run(ctx, "feedback.give", { questionnaire: form.id, answers: answersOf(node, form) }, error);
      if (sent === null) return;
      if (form.anonymous) rememberSent(model, form);
      else form.answered = true; // the feedback.given event says so too
      $("#questionnaire-forms", box).dataset.signature = "";
      ctx.render();
    });
    return node;
  }));
  setText($("#questionnaire-station-title", box), forms.length ? `Feedback (${forms.length} open)` : "Feedback");
}
