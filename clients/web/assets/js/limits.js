// Length limits shown as one types: the server's limits (the welcome's `catalogue.limits`),
// a counter under the control, a warning near the end, the control's maxlength set to match.

import { el } from "./dom.js";

/** The defaults of docs/protocol.md, for a catalogue without `limits`. */
export const DEFAULT_LIMITS = { message: 4000, request_subject: 200, request_field: 20000, request_text: 20000, action_subject: 200, action_note: 4000 };

export function limitsOf(model) {
  return { ...DEFAULT_LIMITS, ...(model.catalogue?.limits ?? {}) };
}

/** Show `control`'s length against `max` in a counter after it (once per control). */
export function countLength(control, max) {
  if (!control || !max) return;
  control.maxLength = max;
  let counter = control.nextElementSibling?.classList.contains("counter") ? control.nextElementSibling : null;
  if (!counter) {
    counter = el("span", { class: "counter muted small", "aria-live": "polite" });
    control.after(counter);
    control.addEventListener("input", () => update(control, counter));
  }
  update(control, counter);
}

function update(control, counter) {
  const max = control.maxLength;
  const used = control.value.length;
  const text = `${used.toLocaleString("en")} / ${max.toLocaleString("en")}`;
  if (counter.textContent !== text) counter.textContent = text;
  counter.dataset.state = used >= max ? "full" : used >= max * 0.9 ? "near" : "ok";
}
