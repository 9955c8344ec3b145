// What a participant typed and has not sent yet, kept in localStorage per exercise and
// participant, so half-typed text and open forms survive a reload (or a crash of the tab).
// Cleared for a control when what it held was sent.

const PREFIX = "liaison.drafts";

export class Drafts {
  constructor(exercise, participant, storage = window.localStorage) {
    this.key = `${PREFIX}.${exercise}.${participant}`;
    this.storage = storage;
    this.values = this.read();
  }

  read() {
    try {
      const parsed = JSON.parse(this.storage.getItem(this.key) ?? "{}");
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
    } catch {
      return {};
    }
  }

  write() {
    try {
      if (Object.keys(this.values).length) this.storage.setItem(this.key, JSON.stringify(this.values));
      else this.storage.removeItem(this.key);
    } catch {
      // storage full or off: the page works on, without keeping drafts
    }
  }

  get(id) {
    return this.values[id];
  }

  has(id) {
    return Object.hasOwn(this.values, id);
  }

  set(id, value) {
    if (value === "" || value === false || value === null || value === undefined) delete this.values[id];
    else this.values[id] = value;
    this.write();
  }

  /** Forget the controls whose id is one of `ids` or starts with one of the `prefixes`. */
  clear(ids = [], prefixes = []) {
    for (const id of Object.keys(this.values)) {
      if (ids.includes(id) || prefixes.some((p) => id.startsWith(p))) delete this.values[id];
    }
    this.write();
  }
}

/** A control's value as kept: a checkbox's state, else its value. */
export function valueOf(control) {
  return control.type === "checkbox" ? control.checked : control.value;
}

/** Put a kept value back into a control (a select only when it offers that value). */
export function restore(control, value) {
  if (control.type === "checkbox") control.checked = Boolean(value);
  else if (control.tagName !== "SELECT" || Array.from(control.options).some((o) => o.value === value)) control.value = value;
  else return false;
  return true;
}
