// Requests as practitioners use them, on the station: each deadline of a request with its state
// (met at, due, overdue), the history of amendments after a clarification (who, when in both
// clocks, old → new), consent to onward use, and fields required because of another field.
// Text goes in as text.

import { el, wallTime } from "./dom.js";
import { fieldLabel, humanize, valueLabel } from "./labels.js";
import { formatSim } from "./model.js";
import { instrument, OUTBOX, words } from "./play.js";

const RESPONDED = new Set(["acknowledged", "clarification_requested", "clarified", "answered", "partially_answered", "refused"]);
const REPLIED = new Set(["answered", "partially_answered", "refused"]);

/** When the request met a deadline for `stage` (simulated time), as the server counts it; null if not yet. */
export function metAt(request, stage) {
  const wanted = stage === "sent" ? new Set(["sent"]) : stage === "acknowledged" ? RESPONDED : stage === "clarification_requested" ? new Set([...REPLIED, "clarification_requested"]) : REPLIED;
  const found = (request.history ?? []).find((step) => wanted.has(step.status));
  return found ? found.sim_time : null;
}

/** Each deadline of a request with its state: met, met_late, overdue, due_soon, running, withdrawn. */
export function deadlineStates(request, simNow) {
  if (OUTBOX.has(request.status)) return [];
  return (request.deadlines ?? []).map((due) => {
    const met = metAt(request, due.stage);
    let state = "running";
    if (met !== null) state = met > due.due_at ? "met_late" : "met";
    else if (request.status === "withdrawn") state = "withdrawn";
    else if (simNow >= due.due_at || (due.warned ?? []).includes("overdue")) state = "overdue";
    else if ((due.warned ?? []).includes("due_soon")) state = "due_soon";
    return { ...due, met_at: met, state };
  });
}

const STATE_TEXT = {
  met: (d) => `met ${formatSim(d.met_at)}`,
  met_late: (d) => `met late ${formatSim(d.met_at)} (was due ${formatSim(d.due_at)})`,
  overdue: (d) => `overdue (due ${formatSim(d.due_at)})`,
  due_soon: (d) => `due soon: ${formatSim(d.due_at)}`,
  running: (d) => `due ${formatSim(d.due_at)}`,
  withdrawn: (d) => `stopped (withdrawn; was due ${formatSim(d.due_at)})`,
};

/** The list of a request's deadlines, one line per stage; null when it has fewer than two. */
export function deadlineList(request, simNow) {
  const states = deadlineStates(request, simNow);
  if (states.length < 2) return null;
  return el(
    "ul",
    { class: "stage-deadlines", "aria-label": "Deadlines" },
    ...states.map((d) =>
      el(
        "li",
        { class: `stage-deadline stage-${d.state}`, dataset: { stage: d.stage, state: d.state } },
        el("strong", {}, words(d.stage)),
        `: ${STATE_TEXT[d.state](d)}`,
        d.legal ? el("span", { class: "muted" }, ` · legal: ${d.legal}`) : null,
      ),
    ),
  );
}

function shown(model, request, key, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "(empty)";
  const spec = instrument(model, request.instrument)?.fields.find((f) => f.key === key);
  return spec ? valueLabel(spec, value) : String(value);
}

/** The history of amendments: who, when (exercise time, wall time), the note, old → new per field. */
export function amendmentList(model, request, signed) {
  const amendments = request.amendments ?? [];
  if (!amendments.length) return null;
  return el(
    "div",
    { class: "amendments" },
    el("strong", {}, "Amendments"),
    el(
      "ol",
      {},
      ...amendments.map((a) =>
        el(
          "li",
          { class: "amendment" },
          el("span", { class: "amendment-who" }, `${signed(a.by, a)} · ${formatSim(a.sim_time)}`),
          el("span", { class: "muted", title: "wall time" }, ` (${wallTime(a.wall_time)})`),
          a.note ? el("div", { class: "amendment-note" }, a.note) : null,
          el(
            "ul",
            {},
            ...a.changes.map((change) => {
              const spec = instrument(model, request.instrument)?.fields.find((f) => f.key === change.key);
              return el(
                "li",
                { class: "amendment-change", dataset: { key: change.key } },
                el("span", {}, spec ? fieldLabel(spec) : change.key),
                ": ",
                el("del", {}, shown(model, request, change.key, change.old)),
                " → ",
                el("ins", {}, shown(model, request, change.key, change.new)),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

const USE_TEXT = { evidence: "use as evidence", onward: "passing on" };

/** Consent to onward use granted on the request, one line per grant; null if none. */
export function consentLine(request) {
  const consents = request.consents ?? [];
  if (!consents.length) return null;
  return el(
    "p",
    { class: "consents" },
    ...consents.map((c, i) => el("span", { class: "tag tone-ok consent-tag", dataset: { side: c.side } }, `${i ? " " : ""}Consent by the ${c.side}: ${c.uses.map((u) => USE_TEXT[u] ?? u).join(", ")}${c.note ? ` (${c.note})` : ""}`)),
  );
}

/** Whether this side may grant consent on the request now: "requester" / "receiver" / null. */
export function consentSide(model, request, incoming, answers) {
  const spec = instrument(model, request.instrument)?.consent;
  if (!spec || request.status === "withdrawn") return null;
  const side = incoming ? "receiver" : "requester";
  if (spec.granted_by !== side && spec.granted_by !== "both") return null;
  if (incoming && (!answers || OUTBOX.has(request.status))) return null;
  const given = new Set((request.consents ?? []).filter((c) => c.side === side).flatMap((c) => c.uses));
  return spec.uses.every((use) => given.has(use)) ? null : side;
}

/** The value typed in an amendment box, as the field's type wants it. */
export function amendedValue(spec, text) {
  const raw = text.trim();
  if (raw === "") return null;
  if (spec?.type === "number") return Number(raw);
  if (spec?.type === "bool") return ["true", "yes", "1"].includes(raw.toLowerCase());
  if (spec?.type === "multiselect" || spec?.type === "entities") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  return raw;
}

/** The box to amend a request after a clarification: a field, its new value, a note. */
export function amendBox(model, request, onAmend) {
  const fields = instrument(model, request.instrument)?.fields ?? [];
  const id = request.id;
  const current = (key) => {
    const value = request.fields?.[key];
    return Array.isArray(value) ? value.join(", ") : value === null || value === undefined ? "" : String(value);
  };
  const value = el("textarea", { id: `amend-value-${id}`, rows: 2 });
  const select = el("select", { id: `amend-field-${id}` }, ...fields.map((f) => el("option", { value: f.key }, fieldLabel(f))));
  const note = el("input", { type: "text", id: `amend-note-${id}`, placeholder: "What changed and why (optional)" });
  const fill = () => (value.value = current(select.value));
  select.addEventListener("change", fill);
  fill();
  return el(
    "div",
    { class: "amend-box" },
    el("label", { for: `amend-field-${id}` }, "Amend the request: field"),
    select,
    el("label", { for: `amend-value-${id}` }, "New value"),
    value,
    el("label", { for: `amend-note-${id}` }, "Note on the amendment"),
    note,
    el(
      "button",
      {
        type: "button",
        class: "small amend-send",
        onclick: (event) => {
          const spec = fields.find((f) => f.key === select.value);
          onAmend({ fields: { [select.value]: amendedValue(spec, value.value) }, note: note.value.trim() }, event.target);
        },
      },
      "Amend and send",
    ),
  );
}

/** Whether a field with `required_if` is required by the form's current `values`. */
export function requiredNow(spec, values) {
  if (spec.required) return true;
  const rule = spec.required_if;
  if (!rule) return false;
  const raw = values[rule.field];
  const chosen = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return chosen.some((v) => rule.in.includes(String(v)));
}

function choiceText(value) {
  return value === "true" ? "ticked" : value === "false" ? "not ticked" : humanize(value);
}

/** "required if Urgency is Evidence destruction or Danger to life" (a bool: "is ticked"). */
export function conditionText(rule) {
  return `required if ${humanize(rule.field)} is ${rule.in.map(choiceText).join(" or ")}`;
}

/** Mark the composer's conditional fields required or optional as the form now stands. */
export function markConditional(inst, values) {
  for (const spec of inst?.fields ?? []) {
    if (!spec.required_if) continue;
    const field = document.querySelector(`#request-fields [data-field="${CSS.escape(spec.key)}"]`);
    const hint = field?.querySelector(".field-hint");
    if (!field || !hint) continue;
    const now = requiredNow(spec, values);
    field.dataset.required = String(now);
    const text = now ? `(required now: ${humanize(spec.required_if.field)} is ${choiceText(String(values[spec.required_if.field]))})` : `(${conditionText(spec.required_if)})`;
    if (hint.textContent !== text) hint.textContent = text;
  }
}
