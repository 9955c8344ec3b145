// Local time and the law, as the welcome's catalogue gives them: a country's local time
// (exercise time plus its `time_offset`), whether its offices (or one agency's) are open now,
// and what of its legal profile and the scenario's legal rules matters for a request.

import { agencyName, formatSim } from "./model.js";

const DAY = 86400;

export function countryIn(model, id) {
  return model.catalogue?.countries.find((c) => c.id === id) ?? null;
}

/** "+02:00" for 7200. */
export function offsetText(seconds) {
  const whole = Math.abs(seconds);
  const hh = String(Math.floor(whole / 3600)).padStart(2, "0");
  const mm = String(Math.floor((whole % 3600) / 60)).padStart(2, "0");
  return `${seconds < 0 ? "-" : "+"}${hh}:${mm}`;
}

/** Whether any country (or agency) keeps another time than the exercise's (else local time says nothing new). */
export function hasLocalTimes(model) {
  return (model.catalogue?.countries ?? []).some((c) => c.time_offset || Object.keys(c.agency_time_offsets ?? {}).length);
}

/** What an agency's clocks (an embassy abroad keeps its host's), else its country's, show minus exercise time. */
export function offsetOf(model, countryId, agencyId = "") {
  const country = countryIn(model, countryId);
  return (agencyId ? country?.agency_time_offsets?.[agencyId] : undefined) ?? country?.time_offset ?? 0;
}

export function localTime(model, countryId, sim, agencyId = "") {
  return sim + offsetOf(model, countryId, agencyId);
}

/** Open or closed now at a country (or at one of its agencies with its own hours), in local time; null: no calendar. */
export function officeState(model, countryId, agencyId, sim) {
  const country = countryIn(model, countryId);
  if (!country) return null;
  const calendar = (agencyId && country.agency_calendars?.[agencyId]) || country.calendar;
  if (!calendar) return null;
  const local = localTime(model, countryId, sim, agencyId);
  const day = Math.floor(local / DAY) + 1;
  const weekday = ((model.catalogue.d1_weekday ?? 0) + day - 1) % 7;
  const within = local - (day - 1) * DAY;
  const hours = `${formatSim(calendar.opens).slice(3)}-${formatSim(calendar.closes).slice(3)}`;
  if (calendar.holidays.includes(day)) return { open: false, text: `closed: public holiday (offices ${hours})` };
  if (!calendar.workdays.includes(weekday)) return { open: false, text: `closed: weekend (offices ${hours})` };
  if (within < calendar.opens || within >= calendar.closes) return { open: false, text: `closed now (offices ${hours})` };
  return { open: true, text: `offices open (${hours})` };
}

/** "D1 10:30 local (+02:00), offices open (08:00-16:00)" for the composer and a request's detail. */
export function localLine(model, countryId, agencyId, sim) {
  const country = countryIn(model, countryId);
  if (!country) return "";
  const parts = [];
  const offset = offsetOf(model, countryId, agencyId);
  const own = agencyId && country.agency_time_offsets?.[agencyId] !== undefined; // its own clock: say whose
  if (offset || own) parts.push(`${formatSim(localTime(model, countryId, sim, agencyId))} local (${offsetText(offset)})`);
  const office = officeState(model, countryId, agencyId, sim);
  if (office) parts.push(office.text);
  return parts.length ? `${own ? agencyName(model, agencyId) : country.name}: ${parts.join(", ")}` : "";
}

const PROFILE_LABELS = {
  thb_offence: (v) => v,
  extradites_nationals: (v) => (v ? "" : "does not extradite its nationals"),
  child_age: (v) => (v !== 18 ? `child under ${v}` : ""),
  reflection_period_days: (v) => `reflection period ${v} days`,
  mla_central_authority: (v) => (v ? `central authority: ${v}` : ""),
  fiu_type: (v) => (v && v !== "administrative" ? `FIU: ${v}` : ""),
  labour_inspector_criminal_powers: (v) => (v ? "labour inspectors have criminal powers" : ""),
  nrm_authority: (v) => (v ? `NRM: ${v}` : ""),
  formal_identification_days: (v) => (v ? `formal identification within ${v} days` : ""),
  notes: (v) => v,
};

/** The target country's legal profile, as short lines: what its scenario states (a country's own
 * entries, under `other` in the scenario, as "name: value"). */
export function profileLines(model, countryId) {
  const profile = countryIn(model, countryId)?.legal_profile ?? {};
  const named = Object.entries(PROFILE_LABELS).map(([key, label]) => (key in profile ? label(profile[key]) : ""));
  const own = Object.entries(profile)
    .filter(([key]) => !(key in PROFILE_LABELS))
    .map(([key, value]) => `${key.replaceAll("_", " ")}: ${value === "true" ? "yes" : value === "false" ? "no" : value}`);
  return [...named, ...own].filter(Boolean);
}

function profileValue(value) {
  if (typeof value === "boolean") return value ? "true" : "false";
  return value === null || value === undefined ? "" : String(value).trim().toLowerCase();
}

/** The legal rules that may apply to `instrumentId` from one country to another (field conditions are shown, not evaluated). */
export function rulesFor(model, instrumentId, sourceId, targetId) {
  const source = countryIn(model, sourceId);
  const target = countryIn(model, targetId);
  if (!source || !target) return [];
  return (model.catalogue?.legal_rules ?? []).filter((rule) => {
    if (rule.instruments.length && !rule.instruments.includes(instrumentId)) return false;
    if (rule.source_countries.length && !rule.source_countries.includes(sourceId)) return false;
    if (rule.target_countries.length && !rule.target_countries.includes(targetId)) return false;
    if (Object.entries(rule.target_profile).some(([key, value]) => profileValue(target.legal_profile?.[key]) !== String(value).toLowerCase())) return false;
    if (rule.treaty_missing.length && rule.treaty_missing.every((t) => source.treaties.includes(t) && target.treaties.includes(t))) return false;
    return true;
  });
}

/** A rule as the composer says it: "Refused: <ground> (if measures is search)". */
export function ruleText(rule) {
  const conditions = Object.entries(rule.fields).map(([key, values]) => `${key} is ${values.join(" or ")}`);
  const effect = rule.effect === "refuse" ? "Will be refused" : "Legal concern, noted for the debrief";
  return `${effect}${conditions.length ? ` if ${conditions.join(" and ")}` : ""}: ${rule.ground} (${rule.id})`;
}

/** "Local times: NOR 10:30 (+02:00) · SUD 08:30 (+00:00)" for the console and the observer; "" when all keep exercise time. */
export function localTimesText(model, sim) {
  if (!hasLocalTimes(model)) return "";
  const countries = [...new Set(model.teams.map((team) => team.country))].map((id) => countryIn(model, id)).filter(Boolean);
  const clock = (id, offset) => `${id} ${formatSim(sim + offset).slice(3)} (${offsetText(offset)})`;
  const own = countries.flatMap((c) => Object.entries(c.agency_time_offsets ?? {}).map(([id, offset]) => clock(id, offset)));
  return `Local times: ${[...countries.map((c) => clock(c.id, c.time_offset ?? 0)), ...own].join(" · ")}`;
}
