// Human labels for the scenario's keys: a form field's `label` when the scenario gives one,
// else the key made readable ("info_requested" → "Info requested", "eio_ref" → "EIO ref").
// Choices and other values (refusal grounds, statuses, kinds) read the same way.

const UPPER = new Set(["eio", "mla", "jit", "nrm", "ngo", "spoc", "id", "iban", "url", "sms", "un", "eu", "ilo", "pnr", "gps", "imei", "imsi", "ip", "vat", "dob", "siena", "trm", "h1", "h2", "h3"]);

/** "snake_case" or "kebab-case" → "Snake case" (known abbreviations in capitals). */
export function humanize(key) {
  const words = String(key ?? "")
    .replace(/[_-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean)
    .map((word) => (UPPER.has(word.toLowerCase()) ? word.toUpperCase() : word));
  if (!words.length) return "";
  const [first, ...rest] = words;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(" ");
}

/** The label of a form field of the catalogue. */
export function fieldLabel(spec) {
  return spec?.label || humanize(spec?.key);
}

/** A value as shown: lists joined, booleans as yes/no, choices humanized. */
export function valueLabel(spec, value) {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (Array.isArray(value)) return value.map((v) => (spec && !["entities"].includes(spec.type) ? humanize(v) : String(v))).join(", ");
  if (spec && (spec.type === "enum" || spec.type === "multiselect")) return humanize(value);
  return String(value ?? "");
}
