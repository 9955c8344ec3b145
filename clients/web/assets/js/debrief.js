// The debrief page: replay the exercise as any viewpoint at any moment (docs/debrief.md).
// GET /api/exercises/{id}/replay gives the viewpoints and the slider's range; with
// ?viewer=V&seq=N it gives what V had then: the events received and its screen (the welcome
// snapshot at N) with the request map as it was. Staff only: this tab's staff session token.

import { el, svg, setText, wallTime } from "./dom.js";
import { stamp, wallTitle } from "./clockstamp.js";
import { renderMarkdown } from "./markdown.js";
import { humanize } from "./labels.js";
import { formatSim } from "./model.js";
import { loadSession } from "./session.js";
import { exerciseOf } from "./report.js";

const STATUS_COLOURS = {
  draft: "#8a8f98",
  validated: "#6b7bb3",
  sent: "#2f6fdd",
  acknowledged: "#1f9bb4",
  clarification_requested: "#d9822b",
  clarified: "#b38a1f",
  answered: "#2e9e55",
  partially_answered: "#7aa83a",
  refused: "#c9372c",
  withdrawn: "#5c5f66",
};

const HINTS = {
  control: "Everything, as exercise control saw it.",
  team: "What any member of the team had: every role's messages, injects and requests.",
  role: "What a member of this role in this team had.",
  participant: "Exactly what this person's station had.",
};

const state = { names: new Map(), exercise: null, token: null, index: null, wanted: 0, shown: 0, timer: null, asked: 0 };
const $ = (id) => document.getElementById(id);

function problem(text) {
  const banner = $("problem");
  banner.hidden = !text;
  banner.textContent = text || "";
}

async function api(params) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`/api/exercises/${encodeURIComponent(state.exercise)}/replay${query ? "?" + query : ""}`, {
    headers: { Authorization: `Bearer ${state.token}` },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? response.statusText);
  return body;
}

function tickOf(seq) {
  const ticks = state.index.ticks;
  let found = ticks[0];
  for (const tick of ticks) if (tick.seq <= seq) found = tick;
  return found;
}

/** Show a moment: ask the server, drop answers that a later move made stale. */
async function show(seq) {
  const number = ++state.asked;
  state.wanted = seq;
  setText($("moment"), `seq ${seq} · ${formatSim(tickOf(seq).sim_time)}…`);
  try {
    const body = await api({ viewer: $("viewpoint").value, seq, limit: 60 });
    if (number !== state.asked) return;
    problem("");
    render(body);
  } catch (error) {
    if (number === state.asked) problem(`No replay: ${error.message}`);
  }
}

function render(body) {
  state.shown = body.seq;
  state.shownSim = body.sim_time;
  const moment = $("moment");
  moment.textContent = `seq ${body.seq} of ${body.last} · ${body.sim} · ${wallTime(body.at)}`;
  moment.title = wallTitle(body.at);
  document.body.dataset.seq = String(body.seq);
  const screen = body.screen;
  state.names = new Map(screen.participants.map((p) => [p.id, p.name]));
  renderMap(screen.map);
  renderRequests(screen.requests);
  renderMessages(screen.feed);
  renderInjects(screen.injects);
  renderCaseFile(screen.case_file);
  renderEvents(body);
}

/** A node coloured by a status through the CSSOM (the page's CSP allows no inline style). */
function coloured(node, property, status) {
  node.style.setProperty(property, STATUS_COLOURS[status] ?? "#666");
  return node;
}

function list(id, emptyId, items, build) {
  const node = $(id);
  node.replaceChildren(...items.map(build));
  if (emptyId) $(emptyId).hidden = items.length > 0;
}

/** A participant's name as this viewpoint knew it (its screen's roster), else their id. */
function nameOf(participant) {
  if (!participant) return "Exercise control";
  return state.names.get(participant) ?? participant;
}

function renderMessages(feed) {
  list("replay-messages", "messages-empty", [...feed].reverse(), (item) =>
    el("li", { class: "replay-item", dataset: { seq: item.seq } },
      el("div", { class: "replay-meta" }, stamp(item.sim_time, null), " ",
        el("strong", {}, nameOf(item.author)), " ",
        el("span", { class: "muted small" }, item.channel + (item.team ? ` · ${item.team}` : ""))),
      el("div", { class: "replay-text" }, item.text)));
}

function renderInjects(injects) {
  list("replay-injects", "injects-empty", [...injects].reverse(), (run) => {
    const body = el("div", { class: "replay-text md" }, ...renderMarkdown(run.body || ""));
    return el("li", { class: "replay-item", dataset: { inject: run.id } },
      el("div", { class: "replay-meta" }, el("strong", {}, `${run.id} · ${run.title}`), " ",
        el("span", { class: "muted small" }, `${run.channel} from ${run.sender}`)), body);
  });
}

function renderRequests(requests) {
  list("replay-requests", "requests-empty", requests, (r) =>
    el("li", { class: "replay-item", dataset: { request: r.id, status: r.status } },
      el("div", { class: "replay-meta" },
        el("strong", {}, `${r.id} · ${r.instrument}`), " ",
        coloured(el("span", { class: "status-chip" }, humanize(r.status)), "--chip", r.status)),
      el("div", { class: "replay-text" }, `${r.from} → ${r.to}${r.subject ? ": " + r.subject : ""}`)));
}

function renderCaseFile(items) {
  list("replay-casefile", null, items, (a) =>
    el("li", { class: "replay-item", dataset: { artefact: a.id } },
      el("strong", {}, a.title), " ",
      el("span", { class: "muted small" }, `${a.kind} · ${a.scope}${a.condition ? " · " + a.condition.state : ""}`)));
}

function summary(frame) {
  const data = frame.data;
  return data.text ?? data.title ?? data.subject ?? data.request ?? data.inject ?? data.participant ?? "";
}

function renderEvents(body) {
  setText($("received"), `(${body.received} up to seq ${body.seq}${body.more ? ", the latest 60 shown" : ""})`);
  list("replay-events", null, [...body.events].reverse(), (frame) =>
    el("li", { class: "replay-event", dataset: { seq: frame.seq, kind: frame.kind } },
      el("span", { class: "muted small" }, `#${frame.seq}`), " ",
      el("span", { class: "kind" }, frame.kind), " ",
      el("span", { class: "replay-text" }, String(summary(frame)).slice(0, 120))));
}

/** The countries on a circle, one arrow per request from the requesting country to the requested,
 * coloured by its status then; several between one pair fan out. */
function renderMap(map) {
  const box = $("replay-map");
  const W = 560, H = 360, R = 135, cx = W / 2, cy = H / 2;
  const at = new Map(map.countries.map((c, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, map.countries.length);
    return [c.id, { x: cx + R * Math.cos(angle), y: cy + R * Math.sin(angle), country: c }];
  }));
  const defs = svg("defs", {}, ...Object.entries(STATUS_COLOURS).map(([status, colour]) =>
    svg("marker", { id: `head-${status}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }))));
  const pairs = new Map();
  const arrows = map.requests.map((r) => {
    const a = at.get(r.from), b = at.get(r.to);
    if (!a || !b || a === b) return null;
    const key = [r.from, r.to].join(">");
    const n = pairs.get(key) ?? 0;
    pairs.set(key, n + 1);
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    const bend = 18 + 12 * n; // fan out the requests of one pair
    const mx = (a.x + b.x) / 2 - (dy / len) * bend, my = (a.y + b.y) / 2 + (dx / len) * bend;
    const shorten = (x, y, tx, ty) => { const l = Math.hypot(tx - x, ty - y) || 1; return [x + ((tx - x) / l) * 34, y + ((ty - y) / l) * 34]; };
    const [sx, sy] = shorten(a.x, a.y, mx, my), [ex, ey] = shorten(b.x, b.y, mx, my);
    const colour = STATUS_COLOURS[r.status] ?? "#666";
    return svg("path", { class: "arrow", "data-request": r.id, "data-status": r.status, d: `M${sx},${sy} Q${mx},${my} ${ex},${ey}`,
      stroke: colour, "stroke-width": r.urgent ? 3 : 2, fill: "none", "marker-end": `url(#head-${r.status})` },
      svg("title", {}, `${r.id} ${r.instrument}: ${r.from} → ${r.to}, ${humanize(r.status)}`));
  }).filter(Boolean);
  const nodes = [...at.values()].map(({ x, y, country }) =>
    svg("g", { class: "country", "data-country": country.id },
      svg("circle", { cx: x, cy: y, r: 30, class: country.teams.length ? "played" : "simcell" }),
      svg("text", { x, y: y + 4, "text-anchor": "middle", class: "country-id" }, country.id),
      svg("text", { x, y: y + 46, "text-anchor": "middle", class: "country-name" }, country.name),
      svg("title", {}, `${country.name}${country.teams.length ? " (teams " + country.teams.join(", ") + ")" : " (SimCell)"}`)));
  box.replaceChildren(svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Request map: ${arrows.length} requests` }, defs, ...arrows, ...nodes));
  const used = [...new Set(map.requests.map((r) => r.status))];
  list("map-legend", null, used, (status) =>
    el("li", {}, coloured(el("span", { class: "swatch" }), "background-color", status), ` ${humanize(status)}`));
}

function move(seq) {
  const slider = $("slider");
  const bounded = Math.min(Number(slider.max), Math.max(1, seq));
  slider.value = String(bounded);
  show(bounded);
}

/** Show the moment the exercise had reached at simulated time `sim` (seconds); the answer's seq. */
async function showSim(sim) {
  const number = ++state.asked;
  try {
    const body = await api({ viewer: $("viewpoint").value, sim: String(sim), limit: 60 });
    if (number !== state.asked) return null;
    problem("");
    $("slider").value = String(body.seq);
    render(body);
    return body;
  } catch (error) {
    if (number === state.asked) problem(`No replay: ${error.message}`);
    return null;
  }
}

function stop() {
  clearInterval(state.timer);
  state.timer = null;
  $("play").textContent = "Play";
  $("play").setAttribute("aria-pressed", "false");
}

/** Play: two moves a second, by events (N events a second) or by exercise time (N× real time). */
function play() {
  if (state.timer) {
    stop();
    return;
  }
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-pressed", "true");
  state.playSim = state.shownSim ?? 0;
  state.timer = setInterval(() => {
    const [mode, rate] = $("speed").value.split(":");
    const last = Number($("slider").max);
    if (mode === "sim") {
      state.playSim = (state.playSim ?? state.shownSim ?? 0) + Number(rate) / 2;
      if (state.playSim >= state.index.ticks[state.index.ticks.length - 1].sim_time) {
        move(last);
        stop();
        return;
      }
      showSim(state.playSim);
      return;
    }
    const next = Number($("slider").value) + Math.max(1, Math.round(Number(rate) / 2));
    move(Math.min(next, last));
    if (next >= last) stop();
  }, 500);
}

async function start() {
  const session = loadSession();
  if (!session) {
    problem("Sign in as staff on the console first: the debrief page uses that session.");
    return;
  }
  if (session.me && session.me.staff === false) {
    problem("No replay: only the staff of this exercise may replay it. Your station is at /station.");
    return;
  }
  state.token = session.token;
  state.exercise = new URLSearchParams(location.search).get("exercise") || exerciseOf(session.token);
  try {
    state.index = await api({});
  } catch (error) {
    problem(`No replay: ${error.message}`);
    return;
  }
  setText($("exercise-title"), state.index.title);
  const picker = $("viewpoint");
  picker.replaceChildren(...state.index.viewpoints.map((v) => el("option", { value: v.key }, v.label)));
  const slider = $("slider");
  slider.max = String(state.index.last);
  const ticks = state.index.ticks;
  // a tick where each simulated day starts (the slider's marks), the first and last moments below it
  const days = ticks.filter((t, i) => i === 0 || Math.floor(t.sim_time / 86400) !== Math.floor(ticks[i - 1].sim_time / 86400));
  $("slider-ticks").replaceChildren(...days.map((t) => el("option", { value: t.seq, label: t.sim })));
  setText($("slider-start"), `${ticks[0].sim} · ${wallTime(ticks[0].at)}`);
  setText($("slider-end"), `${ticks[ticks.length - 1].sim} · ${wallTime(ticks[ticks.length - 1].at)}`);
  const hint = () => setText($("viewpoint-hint"), HINTS[picker.value.split(":")[0]] ?? "");
  picker.addEventListener("change", hint);
  hint();
  const wanted = Number(new URLSearchParams(location.search).get("seq")) || state.index.last;
  slider.value = String(Math.min(wanted, state.index.last));
  slider.addEventListener("input", () => {
    state.playSim = null; // a play by exercise time goes on from the moment chosen
    show(Number(slider.value));
  });
  picker.addEventListener("change", () => show(Number(slider.value)));
  $("play").addEventListener("click", play);
  $("speed").addEventListener("change", () => { state.playSim = state.shownSim ?? 0; });
  $("step-back").addEventListener("click", () => move(Number(slider.value) - 1));
  $("step-on").addEventListener("click", () => move(Number(slider.value) + 1));
  await show(Number(slider.value));
}

start();
