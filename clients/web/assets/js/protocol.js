// Liaison protocol v1 over WebSocket (subprotocol liaison.v1.json): docs/protocol.md is the contract.
//
// A Connection says hello with a join code or a session token (and a resume position when it has
// one), keeps its position (epoch, seq) from the frames that carry a seq, reconnects with
// exponential backoff and full jitter on the "reconnect" close codes, stops on 4500-4999, and
// sends commands still waiting for their reply again, with the same id, once it is welcomed anew.
// A heartbeat (`ping` every HEARTBEAT ms) notices a network that died without closing the socket:
// no reply within HEARTBEAT_TIMEOUT ms, and the connection is given up and opened again.

import { loadCatalogue, saveCatalogue } from "./session.js";

export const SUBPROTOCOL = "liaison.v1.json";
const BACKOFF_INITIAL = 250; // ms
const BACKOFF_MAX = 5000; // ms
const RECONNECT_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013]);
export const HEARTBEAT = 4000; // ms between two pings
export const HEARTBEAT_TIMEOUT = 3000; // ms a ping may wait for its reply

export const CLOSE_REASONS = {
  1000: "The connection was closed.",
  1009: "A message was too large for the server.",
  4500: "The page broke the protocol. Reload the page.",
  4501: "This join code or session is not valid. Enter your join code again.",
  4502: "This page does not speak the server's protocol version. Reload the page.",
  4503: "Your join code was revoked or replaced. Ask exercise control for a new one.",
};

/** Close codes that end a join attempt although they mean "retry later" (protocol.md). */
export const JOIN_STOPS = {
  4004: "This code was mistyped too often from your network. Check it, and try again in a minute.",
};

/** Should a connection closed with `code` try again? (protocol.md, close codes). */
export function shouldReconnect(code) {
  return RECONNECT_CODES.has(code) || (code >= 4000 && code < 4500);
}

/** Full jitter: uniform in [0, min(max, initial * 2^attempt)]. */
export function backoffDelay(attempt, random = Math.random) {
  return random() * Math.min(BACKOFF_MAX, BACKOFF_INITIAL * 2 ** attempt);
}

export function wsUrl(location = window.location) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}

export class CommandError extends Error {
  constructor(name, code, message) {
    super(message);
    this.name = "CommandError";
    this.command = name;
    this.code = code;
  }
}

function randomHex(bytes) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * handlers: {welcome(frame, isReset), event(frame), position(seq), status(state, detail), stop(code, reason)}
 * credential: {code} or {token}; position: {epoch, seq} or null.
 */
export class Connection {
  constructor({ url = wsUrl(), credential, position = null, handlers = {}, reconnect = true }) {
    this.url = url;
    this.credential = credential;
    this.position = position;
    this.handlers = handlers;
    this.reconnect = reconnect;
    this.token = credential.token ?? null;
    this.me = null;
    this.state = "connecting";
    this.stopped = false;
    this.socket = null;
    this.welcomed = false;
    this.attempt = 0;
    this.timer = null;
    this.lastError = null;
    this.heldCatalogue = null; // {tag, catalogue} named in the last hello (session.js)
    this.pending = new Map(); // id -> {frame, resolve, reject}
    this.counter = 0;
    this.suffix = randomHex(4);
    this.welcomedAt = 0;
    this.heartbeat = null;
    this.ping = null; // {id, sent} of the ping waiting for its reply
    this.onOnline = () => this.retryNow();
    window.addEventListener("online", this.onOnline);
  }

  start() {
    this.open();
    return this;
  }

  open() {
    this.timer = null;
    this.welcomed = false;
    this.lastError = null;
    let socket;
    try {
      socket = new WebSocket(this.url, SUBPROTOCOL);
    } catch (error) {
      this.lost(1006);
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => this.sendHello(socket));
    socket.addEventListener("message", (message) => {
      if (socket === this.socket) this.receive(message.data);
    });
    socket.addEventListener("close", (closed) => {
      if (socket === this.socket) this.lost(closed.code);
    });
  }

  sendHello(socket) {
    const hello = { type: "hello", v: 1 };
    if (this.token) hello.token = this.token;
    else hello.code = this.credential.code;
    if (this.credential.preview) hello.preview = this.credential.preview; // control's read-only preview
    if (this.position && this.token) hello.resume = { epoch: this.position.epoch, seq: this.position.seq };
    this.heldCatalogue = loadCatalogue();
    if (this.heldCatalogue) hello.catalogue = this.heldCatalogue.tag; // a snapshot then leaves it out
    socket.send(JSON.stringify(hello));
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "welcome":
        return this.onWelcome(frame);
      case "event":
        return this.onEvent(frame);
      case "position":
        return this.onPosition(frame);
      case "reply":
        return this.onReply(frame);
      case "error":
        this.lastError = { code: frame.code, message: frame.message };
        return undefined;
      default:
        return undefined;
    }
  }

  onWelcome(frame) {
    this.token = frame.token;
    this.me = frame.me;
    this.welcomed = true;
    this.welcomedAt = Date.now();
    const isReset = frame.mode === "snapshot";
    if (isReset) this.position = { epoch: frame.epoch, seq: frame.seq };
    if (isReset && frame.snapshot) this.withCatalogue(frame.snapshot);
    // A resume is followed by the replay, which ends with a position frame.
    this.setState(isReset ? "live" : "catching-up");
    this.handlers.welcome?.(frame, isReset);
    for (const { frame: cmd } of this.pending.values()) this.socket.send(JSON.stringify(cmd));
    this.startHeartbeat();
  }

  /** Keep the catalogue a snapshot carries; put back the one we hold where it was left out. */
  withCatalogue(snapshot) {
    const tag = snapshot.catalogue_tag;
    if (snapshot.catalogue) {
      if (tag) saveCatalogue(tag, snapshot.catalogue);
    } else if (this.heldCatalogue && this.heldCatalogue.tag === tag) {
      snapshot.catalogue = this.heldCatalogue.catalogue;
    }
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => this.beat(), 1000);
    this.lastPing = 0; // the first ping at once: from then on the server expects them
    this.beat();
  }

  stopHeartbeat() {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.ping = null;
  }

  beat() {
    // A socket that is closing gets no ping (the browser would log the send as an error): its
    // close event comes next and reconnects.
    if (!this.welcomed || !this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (this.ping && now - this.ping.sent > HEARTBEAT_TIMEOUT) {
      // The network is gone without a close (a cut cable, a sleeping Wi-Fi): give the socket up.
      const socket = this.socket;
      this.socket = null;
      this.stopHeartbeat();
      try {
        socket.close(4000);
      } catch {
        // already closing
      }
      this.lost(1006);
      return;
    }
    if (!this.ping && now - this.lastPing >= HEARTBEAT) {
      this.counter += 1;
      this.ping = { id: `ping-${this.counter}-${this.suffix}`, sent: now };
      this.lastPing = now;
      this.socket.send(JSON.stringify({ type: "cmd", id: this.ping.id, name: "ping", args: {} }));
    }
  }

  onEvent(frame) {
    if (this.position && frame.seq <= this.position.seq) return; // a duplicate: never shown twice
    this.position = { epoch: this.position?.epoch ?? "", seq: frame.seq };
    this.handlers.event?.(frame);
  }

  onPosition(frame) {
    if (this.position && frame.seq > this.position.seq) {
      this.position = { epoch: this.position.epoch, seq: frame.seq };
    }
    if (this.state === "catching-up") this.setState("live");
    this.handlers.position?.(this.position);
  }

  onReply(frame) {
    if (this.ping && frame.id === this.ping.id) {
      this.ping = null;
      return;
    }
    const waiting = this.pending.get(frame.id);
    if (!waiting) return;
    this.pending.delete(frame.id);
    if (frame.ok) waiting.resolve(frame.result ?? {});
    else if (["unavailable", "busy", "conflict", "rate_limited"].includes(frame.error?.code)) {
      // Retryable: nothing was written; send the same id again shortly.
      this.pending.set(frame.id, waiting);
      setTimeout(() => {
        if (this.welcomed && this.pending.has(frame.id)) this.socket.send(JSON.stringify(waiting.frame));
      }, 500);
    } else waiting.reject(new CommandError(waiting.frame.name, frame.error?.code, frame.error?.message));
  }

  /** Send a command; resolves with the reply's result, rejects with a CommandError. */
  command(name, args = {}) {
    this.counter += 1;
    const id = `${name}-${this.counter}-${this.suffix}`;
    const frame = { type: "cmd", id, name, args };
    return new Promise((resolve, reject) => {
      if (this.stopped) {
        reject(new CommandError(name, "stopped", "Not connected."));
        return;
      }
      this.pending.set(id, { frame, resolve, reject });
      if (this.welcomed) this.socket.send(JSON.stringify(frame));
    });
  }

  lost(code) {
    this.stopHeartbeat();
    const wasWelcomed = this.welcomed;
    this.welcomed = false;
    this.socket = null;
    if (this.stopped) return;
    if (!this.reconnect || !shouldReconnect(code)) {
      const reason = this.lastError?.message
        ? `${CLOSE_REASONS[code] ?? "The connection ended."} (${this.lastError.message})`
        : (CLOSE_REASONS[code] ?? `The connection ended (code ${code}).`);
      this.stop(code, reason);
      return;
    }
    if (wasWelcomed && Date.now() - this.welcomedAt >= BACKOFF_MAX) this.attempt = 0;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.setState("reconnecting", { code, attempt: this.attempt, error: this.lastError });
    this.timer = setTimeout(() => this.open(), delay);
  }

  /**
   * Start afresh from a snapshot: for facts that events do not carry to this viewer (the form
   * of a request sent to its team, the text of an artefact it received). Commands still
   * waiting are sent again with the same id once welcomed.
   */
  resync() {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.position = null;
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (socket) socket.close(1000);
    this.setState("catching-up");
    this.open();
  }

  retryNow() {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.open();
    }
  }

  stop(code, reason) {
    this.stopped = true;
    this.stopHeartbeat();
    if (this.timer !== null) clearTimeout(this.timer);
    window.removeEventListener("online", this.onOnline);
    for (const { frame, reject } of this.pending.values()) {
      reject(new CommandError(frame.name, "stopped", reason));
    }
    this.pending.clear();
    this.setState("stopped", { code, reason });
    this.handlers.stop?.(code, reason);
  }

  /** Close for good (leaving the page, signing out). */
  close() {
    const socket = this.socket;
    this.stopped = true;
    this.stopHeartbeat();
    if (this.timer !== null) clearTimeout(this.timer);
    window.removeEventListener("online", this.onOnline);
    this.socket = null;
    if (socket) socket.close(1000);
  }

  setState(state, detail = {}) {
    this.state = state;
    this.handlers.status?.(state, detail);
  }
}
