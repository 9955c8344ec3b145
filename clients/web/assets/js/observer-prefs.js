// What an observer chose on this browser and keeps across reloads and sessions (localStorage):
// which team cards are collapsed (per exercise) and whether the timeline shows roster and
// presence lines. The timeline's other filters stay per page.

const KEY = "liaison.observer.collapsed.";

function read(exercise) {
  try {
    const list = JSON.parse(localStorage.getItem(KEY + exercise) ?? "[]");
    return new Set(Array.isArray(list) ? list.filter((t) => typeof t === "string") : []);
  } catch {
    return new Set();
  }
}

export function collapsedTeams(exercise) {
  return read(exercise);
}

export function setCollapsed(exercise, team, collapsed) {
  const teams = read(exercise);
  if (collapsed) teams.add(team);
  else teams.delete(team);
  try {
    localStorage.setItem(KEY + exercise, JSON.stringify([...teams]));
  } catch {
    // storage full or disabled: the card still toggles, only not after a reload
  }
}

const BACKGROUND_KEY = "liaison.observer.background";

export function showsBackground() {
  try {
    return localStorage.getItem(BACKGROUND_KEY) === "shown";
  } catch {
    return false;
  }
}

export function setShowsBackground(shown) {
  try {
    localStorage.setItem(BACKGROUND_KEY, shown ? "shown" : "hidden");
  } catch {
    // as above
  }
}

/** Timeline kinds hidden unless asked for: who joined and who is online (87 % of a timeline). */
export const BACKGROUND = new Set(["roster", "presence"]);

/** Does `entry` pass the timeline's kind filter? `kind` is "" (play), a kind group, or "note". */
export function passesKind(kindOf, entry, kind, background) {
  const group = kindOf(entry.kind);
  if (kind === "note") return entry.kind === "note.written";
  if (kind) return group === kind;
  return background || !BACKGROUND.has(group);
}
