// Older history, on demand (docs/protocol.md, `history`). A welcome is bounded: it carries the
// latest messages of each feed thread (`feed_older` names the threads that have more) and no
// timeline. A list loads older items when the user scrolls to its far end or clicks its
// "Load older" button: feed lists page back thread by thread from the seq each thread's cursor
// holds (`model.older`), timelines page back through the events from `model.timelineBefore`.
// Everything lands by seq (feed.js, and the timeline is in seq order), so a page that overlaps
// what the page already has, a reload or a replay never shows an item twice.
// Requests: a welcome carries the latest (`requests_before` is where older ones page back
// from); a live event about a request the page does not hold fetches it by id. Both come as of
// a seq, and the events up to it are skipped for those requests (play.js, `requestsAsOf`).

import { $, el } from "./dom.js";
import { addFeedItem, feedItemOf } from "./feed.js";
import { TIMELINE_LIMIT } from "./model.js";
import { applyPlay, CLOSED, holdRequests } from "./play.js";

export const FEED_PAGE = 30;
export const EVENTS_PAGE = 200;
export const REQUESTS_PAGE = 20;
const IDS_MOST = 50; // request ids one fetch names at most
const EMPTY_ROUNDS = 5; // event pages that may come back empty (a long stretch the viewer may not see) per click

/** The threads with older messages among those whose id starts with one of `prefixes`. */
export function olderThreads(model, prefixes) {
  return Object.keys(model.older ?? {}).filter((thread) => prefixes.some((prefix) => thread.startsWith(prefix)));
}

/** One page further back in each thread of a list (`prefixes`: `["team:"]`, `["control:", "prompt:"]` ...). */
export async function loadOlderFeed(ctx, name, prefixes) {
  const model = ctx.model;
  if (!model || ctx.loading.has(name)) return;
  const threads = olderThreads(model, prefixes);
  if (!threads.length) return;
  await loading(ctx, name, () =>
    Promise.all(
      threads.map(async (thread) => {
        const before = model.older[thread];
        const page = await ctx.connection.command("history", { of: "feed", thread, before, limit: FEED_PAGE });
        if (ctx.model !== model || model.older[thread] !== before) return; // a new snapshot came meanwhile
        for (const item of page.items) addFeedItem(model, feedItemOf(model, item));
        if (page.more && page.items.length) model.older[thread] = page.items[0].seq;
        else delete model.older[thread];
      }),
    ),
  );
}

/** One page of older timeline entries (events before the oldest the timeline holds). */
export async function loadOlderTimeline(ctx) {
  const model = ctx.model;
  if (!model || ctx.loading.has("timeline") || !model.timelineMore) return;
  await loading(ctx, "timeline", async () => {
    let found = 0;
    for (let round = 0; round < EMPTY_ROUNDS && found === 0 && model.timelineMore; round++) {
      const before = model.timelineBefore;
      const page = await ctx.connection.command("history", { of: "events", before, limit: EVENTS_PAGE });
      if (ctx.model !== model || model.timelineBefore !== before) return; // a new snapshot, or trimmed meanwhile
      const first = model.timeline.length ? model.timeline[0].seq : Infinity;
      const older = page.events.filter((e) => e.seq < first).map(({ seq, at, kind, data }) => ({ seq, at, kind, data }));
      model.timeline.unshift(...older);
      model.timelineBefore = page.before;
      model.timelineMore = page.more;
      // What the user loaded stays until newer entries push it out.
      model.timelineLimit = Math.max(model.timelineLimit ?? TIMELINE_LIMIT, model.timeline.length);
      found += older.length;
    }
  });
  // A new snapshot came while this page was on its way: its timeline starts afresh.
  if (ctx.model && ctx.model !== model && !ctx.model.timeline.length) loadOlderTimeline(ctx);
}

/** One page of older requests (numbered below the oldest the welcome carried). */
export async function loadOlderRequests(ctx) {
  const model = ctx.model;
  if (!model || ctx.loading.has("requests") || (model.requestsBefore ?? null) === null) return;
  await loading(ctx, "requests", async () => {
    const before = model.requestsBefore;
    const page = await ctx.connection.command("history", { of: "requests", before, limit: REQUESTS_PAGE });
    if (ctx.model !== model || model.requestsBefore !== before) return; // a new snapshot came meanwhile
    const fresh = page.requests.filter((r) => !model.requests[r.id]);
    holdRequests(model, fresh, page.seq);
    model.requestsOlderInFlight = Math.max(0, model.requestsOlderInFlight - fresh.filter((r) => !CLOSED.has(r.status)).length);
    model.requestsBefore = page.more ? page.before : null;
  });
}

/**
 * The older requests still in flight load by themselves: what waits for a team, or for SimCell,
 * belongs on the screen, not behind a button. The welcome names them
 * (`requests_older_in_flight_ids`), and they are read by id with the other wanted requests; only
 * those it did not name (more than 200, or a server that names none) are found by paging back, a
 * page at a time. Paging stops when the welcome's count of them is loaded or nothing older is
 * left, and after a failed page (the edge says so; its button tries again).
 */
export function loadRequestsInFlight(ctx) {
  const model = ctx.model;
  if (!model || !(model.requestsOlderInFlight > 0) || (model.requestsBefore ?? null) === null) return;
  if (model.requestsWanted?.length || ctx.loading.has("wanted")) return; // read by id first
  if (ctx.loading.has("requests") || ctx.historyErrors.requests || ctx.connection?.state !== "live") return;
  loadOlderRequests(ctx);
}

/** The requests live events named that the page does not hold, as they are now. */
export async function fetchWantedRequests(ctx) {
  const model = ctx.model;
  if (!model?.requestsWanted.length || ctx.loading.has("wanted")) return;
  const ids = model.requestsWanted.slice(0, IDS_MOST);
  ctx.loading.add("wanted");
  try {
    const found = await ctx.connection.command("history", { of: "requests", ids });
    if (ctx.model !== model) return;
    holdRequests(model, found.requests.filter((r) => !model.requests[r.id]), found.seq);
    model.requestsWanted = model.requestsWanted.filter((id) => !ids.includes(id)); // not ours to see: dropped
    const named = (model.requestsOlderInFlightIds ?? []).filter((id) => ids.includes(id));
    if (named.length) {
      // The welcome's older requests in flight: held now (or closed meanwhile), not to page back for.
      model.requestsOlderInFlight = Math.max(0, model.requestsOlderInFlight - named.length);
      model.requestsOlderInFlightIds = model.requestsOlderInFlightIds.filter((id) => !ids.includes(id));
      lowerRequestsEdge(model);
    }
  } catch {
    if (ctx.model !== model) return;
    model.requestsWanted = model.requestsWanted.filter((id) => !ids.includes(id));
    model.resync = !model.me.staff; // a fresh snapshot has the latest requests
  } finally {
    ctx.loading.delete("wanted");
    ctx.render();
  }
  if (ctx.model === model && model.requestsWanted.length) fetchWantedRequests(ctx);
}

/** Request `R-<n>` has the number n. */
const numberOf = (id) => Number(String(id).split("-").pop());

/**
 * Where older requests page back from, moved past those now held without a gap below it (read
 * by id): the edge goes when every older request is held (a staff page, which sees them all).
 */
function lowerRequestsEdge(model) {
  if ((model.requestsBefore ?? null) === null) return;
  const held = new Set(Object.keys(model.requests).map(numberOf));
  let before = model.requestsBefore;
  while (before > 1 && held.has(before - 1)) before -= 1;
  model.requestsBefore = before > 1 ? before : null;
}

/**
 * Staff pages: the scenario's SimCell templates and artefact titles are in `exercise.created`
 * (seq 1, seen by staff), which no snapshot carries: read that one event.
 */
export async function loadScenario(ctx) {
  const model = ctx.model;
  if (!model?.me.staff || model.responses) return;
  try {
    const page = await ctx.connection.command("history", { of: "events", before: 2, limit: 1 });
    const created = page.events.find((e) => e.kind === "exercise.created");
    if (ctx.model !== model || !created) return;
    applyPlay(model, created);
    ctx.render();
  } catch {
    // the page goes on without the templates (the SimCell queue says so)
  }
}

async function loading(ctx, name, work) {
  ctx.loading.add(name);
  delete ctx.historyErrors[name];
  ctx.render();
  try {
    await work();
  } catch (error) {
    ctx.historyErrors[name] = error.message || String(error);
  } finally {
    ctx.loading.delete(name);
    ctx.render();
  }
}

/**
 * The edge of a list where older items come from: a "Load older" button while there are more,
 * "Loading…" while a page is on its way, "Start of the exercise" when there is nothing older.
 * `data-state` is `more`, `loading` or `start`.
 */
export function renderEdge(ctx, node, { name, more, empty, label, load }) {
  const state = ctx.loading.has(name) ? "loading" : more ? "more" : "start";
  const error = ctx.historyErrors[name] ?? "";
  node.hidden = state === "start" && empty;
  if (node.dataset.state === state && node.dataset.error === error && node.dataset.label === String(label)) return;
  node.dataset.state = state;
  node.dataset.error = error;
  node.dataset.label = String(label); // "(3 still in flight)" changes as they load
  const parts = [];
  if (state === "loading") parts.push(el("span", { class: "muted small", role: "status" }, "Loading older entries…"));
  else if (state === "more") parts.push(el("button", { type: "button", class: "small link load-older", onclick: load }, label));
  else parts.push(el("span", { class: "muted small history-start" }, "Start of the exercise"));
  if (error) parts.push(el("span", { class: "error small", role: "alert" }, ` Could not load: ${error}`));
  node.replaceChildren(...parts);
}

/**
 * A list with older items: `{name, list, edge, label, scroll, prefixes?}`. With `prefixes` it is a
 * feed list (the threads it shows), without it the timeline. `scroll` is the end of the list
 * where the older items are ("top", or "bottom" for a list shown newest first).
 */
function loader(ctx, spec) {
  return spec.prefixes ? () => loadOlderFeed(ctx, spec.name, spec.prefixes) : () => loadOlderTimeline(ctx);
}

/** Load older items when the user scrolls the list to its end. */
export function wireHistory(ctx, spec) {
  if (!spec.scroll) return;
  const list = $(spec.list);
  const load = loader(ctx, spec);
  list.addEventListener(
    "scroll",
    () => {
      const near = spec.scroll === "top" ? list.scrollTop < 30 : list.scrollHeight - list.scrollTop - list.clientHeight < 30;
      if (near) load();
    },
    { passive: true },
  );
}

/** Show the list's edge; `count` is how many items the list shows. */
export function renderHistory(ctx, spec, count) {
  const more = spec.prefixes ? olderThreads(ctx.model, spec.prefixes).length > 0 : Boolean(ctx.model.timelineMore);
  renderEdge(ctx, $(spec.edge), { name: spec.name, more, empty: count === 0, label: spec.label, load: loader(ctx, spec) });
}
