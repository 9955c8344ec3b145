// The session of this browser tab, in sessionStorage: the session token and who we are, and per
// page the view with the position it reflects (saved together, so a reload resumes exactly).
// The join code itself is never stored.

const SESSION_KEY = "liaison.session";
const VIEW_KEY = "liaison.view.";

function read(key) {
  try {
    const text = sessionStorage.getItem(key);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the page still works, a reload starts from a snapshot
  }
}

export function loadSession() {
  const session = read(SESSION_KEY);
  return session && typeof session.token === "string" ? session : null;
}

export function saveSession(session) {
  write(SESSION_KEY, session);
}

export function clearSession() {
  for (const key of Object.keys(sessionStorage)) {
    if (key === SESSION_KEY || key.startsWith(VIEW_KEY)) sessionStorage.removeItem(key);
  }
}

/** {position: {epoch, seq}, model} saved by the page `page`, or null. */
export function loadView(page, participant) {
  const view = read(VIEW_KEY + page);
  if (!view || !view.position || !view.model || view.model.me?.participant !== participant) return null;
  return view;
}

export function saveView(page, position, model) {
  write(VIEW_KEY + page, { position, model });
}

/** The page each role works on. */
export function pageFor(me) {
  if (!me.staff) return "/station";
  if (me.role === "mentor" || me.role === "observer" || me.role === "evaluator") return "/observer";
  return "/console";
}

// The scenario catalogue of the last snapshot that carried one, in localStorage (it outlives the
// tab: a participant back on day four still holds it). Its tag goes in every hello, and the
// snapshots that leave the catalogue out get it back from here (protocol.md, "The catalogue once").
const CATALOGUE_KEY = "liaison.catalogue";

export function loadCatalogue() {
  try {
    const held = JSON.parse(localStorage.getItem(CATALOGUE_KEY) ?? "null");
    return held && typeof held.tag === "string" && held.catalogue ? held : null;
  } catch {
    return null;
  }
}

export function saveCatalogue(tag, catalogue) {
  try {
    localStorage.setItem(CATALOGUE_KEY, JSON.stringify({ tag, catalogue }));
  } catch {
    // storage full or disabled: the next snapshot carries the catalogue again
  }
}
