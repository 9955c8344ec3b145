// What the station, the console and the observer dashboard share: the session, the connection,
// the view model with its saved copy, the header (identity, clock, connection state) and the
// render loop. Each page passes its own `render(ctx)`, and `onSnapshot(ctx)`, called after each
// snapshot-mode welcome (to load the first page of its timeline, say: history.js).

import { $, setText } from "./dom.js";
import { fetchWantedRequests } from "./history.js";
import { applyEvent, carryOver, formatSim, fromWelcome, roleName, simNow, STATUS_LABELS, teamName } from "./model.js";
import { lockPreview, previewOf, READ_ONLY } from "./preview.js";
import { Connection } from "./protocol.js";
import { clearSession, loadSession, loadView, pageFor, saveSession, saveView } from "./session.js";

const RESYNC_GAP = 1500; // ms between two snapshots asked for by one page

export function startPage({ page, render, tick, onSnapshot }) {
  const session = loadSession();
  if (!session) {
    window.location.replace("/");
    return null;
  }
  const preview = previewOf(page); // a staff member's read-only look at a participant's station
  if (!preview && pageFor(session.me) !== `/${page}`) {
    window.location.replace(pageFor(session.me));
    return null;
  }
  // Where to start: the view this tab saved (resume from its position), else a snapshot. A
  // snapshot is bounded (the latest messages of each thread, no timeline): older items load
  // on demand (history.js), never by a replay of the whole log.
  const stored = preview ? null : loadView(page, session.me.participant);
  const ctx = {
    page,
    preview,
    previewBy: null,
    model: stored?.model ?? null,
    connection: null,
    clockOffset: 0,
    render: () => schedule(),
    lastResync: 0,
    resyncTimer: null,
    loading: new Set(), // the lists whose older items are on their way (history.js)
    historyErrors: {},
  };

  // A participant's page asks for a fresh snapshot when an event names something only a
  // snapshot describes (model.resync); at most every RESYNC_GAP ms.
  function resyncSoon() {
    if (ctx.resyncTimer !== null || ctx.connection.state !== "live") return;
    const wait = Math.max(0, ctx.lastResync + RESYNC_GAP - Date.now());
    ctx.resyncTimer = setTimeout(() => {
      ctx.resyncTimer = null;
      if (!ctx.model?.resync) return;
      ctx.lastResync = Date.now();
      ctx.connection.resync();
    }, wait);
  }

  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      if (!ctx.model) return;
      renderHeader(ctx);
      render(ctx);
      if (preview) lockPreview(ctx.model, ctx.previewBy);
      save();
      if (ctx.model.requestsWanted?.length && ctx.connection.state === "live") fetchWantedRequests(ctx);
      if (ctx.model.resync && !ctx.model.me.staff) resyncSoon();
    }, 0);
  }
  function save() {
    if (ctx.model && ctx.connection?.position && !preview) saveView(page, ctx.connection.position, ctx.model);
  }

  ctx.connection = new Connection({
    credential: { token: session.token, preview },
    position: stored ? stored.position : null,
    handlers: {
      welcome(frame, isReset) {
        ctx.clockOffset = frame.server.time - Date.now() / 1000;
        const kept = { ...loadSession(), token: frame.token, me: frame.me, epoch: frame.epoch };
        const fresh = isReset || !ctx.model;
        if (fresh) {
          const before = ctx.model;
          ctx.model = fromWelcome(frame);
          if (before && frame.reason === "new") carryOver(before, ctx.model); // our own resync
        }
        ctx.model.me = frame.me;
        ctx.previewBy = frame.preview ?? null;
        delete kept.base; // written by earlier versions of the pages
        if (!preview) saveSession(kept); // a preview's `me` is the participant's, not ours
        schedule();
        if (fresh) onSnapshot?.(ctx);
      },
      event(frame) {
        if (!ctx.model) return;
        applyEvent(ctx.model, frame);
        schedule();
      },
      position() {
        save();
        schedule();
      },
      status(state, detail) {
        showConnection(state, detail);
        if (state === "live") schedule();
      },
      stop(code, reason) {
        if ((code === 4501 || code === 4503) && !preview) clearSession();
        showStopped(reason);
      },
    },
  }).start();

  window.addEventListener("pagehide", save);
  setInterval(() => {
    if (!ctx.model) return;
    renderClock(ctx);
    tick?.(ctx);
  }, 1000);
  $("#sign-out")?.addEventListener("click", () => {
    ctx.connection.close();
    clearSession();
    window.location.assign("/");
  });
  return ctx;
}

/** Simulated seconds now, on the server's clock. */
export function simNowOf(ctx) {
  return simNow(ctx.model.exercise.clock, Date.now() / 1000 + ctx.clockOffset);
}

function showConnection(state) {
  const pill = $("#connection");
  const banner = $("#reconnecting");
  const labels = {
    connecting: "Connecting…",
    "catching-up": "Catching up…",
    live: "Live",
    reconnecting: "Reconnecting…",
    stopped: "Disconnected",
  };
  setText(pill, labels[state] ?? state);
  pill.dataset.state = state;
  banner.hidden = state !== "reconnecting";
  document.body.dataset.connection = state;
}

function showStopped(reason) {
  const box = $("#stopped");
  setText($("#stopped-reason"), reason);
  box.hidden = false;
  $("#reconnecting").hidden = true;
}

export function renderHeader(ctx) {
  const { model } = ctx;
  setText($("#exercise-title"), model.exercise.title);
  setText($("#me-name"), model.me.name);
  const team = model.me.team ? teamName(model, model.me.team) : "Exercise staff";
  setText($("#me-detail"), `${team} · ${roleName(model, model.me.role)}`);
  document.title = `${model.exercise.title} · Liaison`;
  renderClock(ctx);
}

export function renderClock(ctx) {
  const { exercise } = ctx.model;
  const now = Date.now() / 1000 + ctx.clockOffset;
  setText($("#clock"), formatSim(simNow(exercise.clock, now)));
  const status = $("#clock-status");
  setText(status, STATUS_LABELS[exercise.status] ?? exercise.status);
  status.dataset.status = exercise.status;
  const speed = $("#clock-speed");
  if (speed) setText(speed, exercise.clock.speed === 1 ? "real time" : `speed ×${exercise.clock.speed}`);
}

/** Run a command from a form; show its error next to the form. Returns the result or null. */
export async function run(ctx, name, args, errorBox) {
  if (errorBox) {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }
  if (ctx.preview) {
    if (errorBox) {
      errorBox.textContent = READ_ONLY;
      errorBox.hidden = false;
    }
    return null;
  }
  try {
    return await ctx.connection.command(name, args);
  } catch (error) {
    if (errorBox) {
      errorBox.textContent = error.message || String(error);
      errorBox.hidden = false;
    }
    return null;
  }
}
