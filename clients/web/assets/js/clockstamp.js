// One clock on every page: items show the exercise's (simulated) time, "D1 08:30"; the wall
// time is on hover (`title`). The station, the console's log and the observer's timeline use
// these for messages, timeline entries and log lines.

import { el, wallTime } from "./dom.js";
import { formatSim, simNow } from "./model.js";

/** "Wall clock 23:41:05, Tue 1 Dec" for Unix seconds `at` (in the reader's time zone). */
export function wallTitle(at) {
  if (!at) return "";
  const d = new Date(at * 1000);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const day = d.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
  return `Wall clock ${time}, ${day}`;
}

/**
 * The simulated time of a timeline entry or feed item: what the event says (`sim_time`, or a
 * clock's anchor), else `entry.sim` (worked out from the clock when it arrived live), else null.
 */
export function simTimeOf(entry) {
  const data = entry.data ?? {};
  if (typeof entry.sim_time === "number") return entry.sim_time;
  if (typeof data.sim_time === "number") return data.sim_time;
  if (data.clock && typeof data.clock.sim_anchor === "number") return data.clock.sim_anchor;
  return typeof entry.sim === "number" ? entry.sim : null;
}

/** The simulated time an event stored at wall time `at` happened at, by the clock then. */
export function simAt(clock, at) {
  return clock && at ? simNow(clock, at) : null;
}

/** A <time> with the simulated time as text and the wall time on hover (the wall time as
 * text when the simulated time is not known, as for messages of logs older than `sim_time`). */
export function stamp(sim, at, className = "muted stamp") {
  const text = typeof sim === "number" ? formatSim(sim) : at ? wallTime(at) : "";
  return el("time", { class: className, title: wallTitle(at) || null, dataset: { sim: typeof sim === "number" ? String(sim) : "" } }, text);
}

/** `stamp` for a timeline entry or feed item. */
export function stampOf(entry, className) {
  return stamp(simTimeOf(entry), entry.at, className);
}
