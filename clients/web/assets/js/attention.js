// What needs the participant's attention, at 200 people: unread counts per panel and in the
// tab's title, what they have seen kept per exercise and participant (localStorage), and an
// optional beep for urgent items (off by default; Web Audio, nothing downloaded).

const PREFIX = "liaison.seen";
const SOUND_KEY = "liaison.sound";

/** Whether the page is being looked at: visible and focused (window focus and blur events). */
export class Presence {
  constructor() {
    this.focused = document.hasFocus();
    this.listeners = [];
    window.addEventListener("focus", () => this.set(true));
    window.addEventListener("blur", () => this.set(false));
    document.addEventListener("visibilitychange", () => this.changed());
  }

  set(focused) {
    this.focused = focused;
    this.changed();
  }

  changed() {
    for (const listener of this.listeners) listener(this.active);
  }

  get active() {
    return this.focused && document.visibilityState === "visible";
  }

  onChange(listener) {
    this.listeners.push(listener);
  }
}

/** Is `node` on screen (at least partly in the viewport)? */
export function onScreen(node) {
  if (!node || node.closest("[hidden]")) return false;
  const box = node.getBoundingClientRect();
  return box.width > 0 && box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth;
}

/** The read marks of one participant: per panel the newest seq seen, per item what was seen. */
export class Seen {
  constructor(exercise, participant, storage = window.localStorage) {
    this.key = `${PREFIX}.${exercise}.${participant}`;
    this.storage = storage;
    try {
      this.marks = JSON.parse(storage.getItem(this.key) ?? "{}") ?? {};
    } catch {
      this.marks = {};
    }
  }

  get(name, fallback = 0) {
    return this.marks[name] ?? fallback;
  }

  set(name, value) {
    if (this.marks[name] === value) return false;
    this.marks[name] = value;
    try {
      this.storage.setItem(this.key, JSON.stringify(this.marks));
    } catch {
      // storage off: marks last as long as the page
    }
    return true;
  }
}

/** "(3) Title" when anything is unread, else the title. */
export function titleWith(count, title) {
  return count > 0 ? `(${count > 99 ? "99+" : count}) ${title}` : title;
}

export function soundOn() {
  try {
    return window.localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

export function setSound(on) {
  try {
    window.localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // not kept
  }
}

let audio = null;

/** A short two-tone beep; counted on `counter.dataset.beeps` (so a test can see it). */
export function beep(counter) {
  if (counter) counter.dataset.beeps = String(Number(counter.dataset.beeps ?? 0) + 1);
  try {
    audio = audio ?? new (window.AudioContext || window.webkitAudioContext)();
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
    for (const [frequency, start] of [[880, 0], [1175, 0.15]]) {
      const tone = audio.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(now + start);
      tone.stop(now + start + 0.18);
    }
  } catch {
    // no audio here: the count and the marks on screen still tell
  }
}
