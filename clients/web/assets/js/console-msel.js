// The MSEL against the exercise clock: what is happening now (released in the last half hour of
// simulated time), what comes next (planned or held, by time) and what is overdue (its planned time has
// passed and it is not released: held, or waiting for a trigger). Each links to its MSEL row.

import { $, el, replaceIfChanged, setText } from "./dom.js";
import { formatSim } from "./model.js";

const RECENT = 30 * 60; // simulated seconds that count as "now"
const NEXT = 3;

/** Is this inject overdue at simulated time `now`: a planned time passed, not released? */
export function isLate(row, now) {
  return (row.status === "planned" || row.status === "held") && row.at !== null && row.at !== undefined && row.at <= now;
}

function span(seconds) {
  const minutes = Math.max(0, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} h ${String(minutes % 60).padStart(2, "0")}` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function link(row, text) {
  return el("a", { href: `#msel-${row.id}`, class: "msel-link", dataset: { inject: row.id } }, el("span", { class: "inject-id" }, row.id), " ", row.title, text ? el("span", { class: "muted small" }, ` · ${text}`) : null);
}

export function mselTiming(model, now) {
  const rows = Object.values(model.injects);
  const released = rows.filter((r) => r.status === "released" && r.released_at !== null && r.released_at !== undefined).sort((a, b) => b.released_at - a.released_at);
  const recent = released.filter((r) => r.released_at >= now - RECENT);
  return {
    now: recent.length ? recent : released.slice(0, 1),
    late: rows.filter((r) => isLate(r, now)).sort((a, b) => a.at - b.at),
    next: rows.filter((r) => (r.status === "planned" || r.status === "held") && r.at !== null && r.at !== undefined && r.at > now).sort((a, b) => a.at - b.at).slice(0, NEXT),
  };
}

export function renderTiming(model, now) {
  const timing = mselTiming(model, now);
  const minute = Math.floor(now / 60);
  const signature = JSON.stringify([minute, ["now", "late", "next"].map((k) => timing[k].map((r) => [r.id, r.title, r.status]))]);
  replaceIfChanged($("#msel-timing"), signature, () => [
    el(
      "div",
      { class: "timing-now", dataset: { part: "now" } },
      el("h3", {}, "Now ", el("span", { class: "mono" }, formatSim(now))),
      timing.now.length
        ? el("ul", {}, ...timing.now.map((r) => el("li", {}, link(r, `released ${formatSim(r.released_at)}`))))
        : el("p", { class: "muted small" }, "Nothing released yet."),
    ),
    el(
      "div",
      { class: `timing-late${timing.late.length ? " alarm" : ""}`, dataset: { part: "overdue" } },
      el("h3", {}, `Overdue (${timing.late.length})`),
      timing.late.length
        ? el("ul", {}, ...timing.late.map((r) => el("li", {}, link(r, `planned ${formatSim(r.at)}, ${r.status === "held" ? "held" : "not released"}, ${span(now - r.at)} late`))))
        : el("p", { class: "muted small" }, "Nothing overdue."),
    ),
    el(
      "div",
      { class: "timing-next", dataset: { part: "next" } },
      el("h3", {}, "Next"),
      timing.next.length
        ? el("ul", {}, ...timing.next.map((r) => el("li", {}, link(r, `${formatSim(r.at)}, in ${span(r.at - now)}${r.status === "held" ? ", held" : ""}`))))
        : el("p", { class: "muted small" }, "No inject planned at a time."),
    ),
  ]);
  setText($("#msel-late-count"), timing.late.length ? `${timing.late.length} overdue` : "");
  return timing;
}
