// The join page: a join code (typed, or from a link's #code=...) becomes a session token for
// this tab; the page shows who the code belongs to and goes on to that role's page.

import { $, setText } from "./dom.js";
import { Connection, JOIN_STOPS } from "./protocol.js";
import { clearSession, loadSession, pageFor, saveSession } from "./session.js";

const STAFF_ROLES = { director: "Director", controller: "Controller", simcell: "SimCell", mentor: "Mentor", observer: "Observer", evaluator: "Evaluator" };
const REDIRECT_AFTER = 1500; // ms: long enough to read who you are

let redirect = null;

function codeFromFragment() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const code = params.get("code");
  if (window.location.hash) {
    // The code must not stay in the address bar, the history or a bookmark.
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  return code && code.trim() ? code.trim() : null;
}

function showForm(message) {
  $("#identity").hidden = true;
  $("#joining").hidden = true;
  $("#join-form").hidden = false;
  const error = $("#join-error");
  error.hidden = !message;
  setText(error, message ?? "");
  $("#code").focus();
}

function showIdentity(session, autoContinue) {
  $("#join-form").hidden = true;
  $("#joining").hidden = true;
  const { me, labels } = session;
  setText($("#who-name"), me.name);
  setText($("#who-team"), labels.team);
  setText($("#who-role"), labels.role);
  setText($("#who-exercise"), labels.exercise);
  const target = pageFor(me);
  const link = $("#continue");
  link.href = target;
  setText(link, { "/station": "Open the team station", "/console": "Open the control console", "/observer": "Open the observer dashboard" }[target]);
  $("#identity").hidden = false;
  link.focus();
  if (autoContinue) redirect = setTimeout(() => window.location.assign(target), REDIRECT_AFTER);
}

function join(code) {
  $("#join-form").hidden = true;
  $("#join-error").hidden = true;
  const joining = $("#joining");
  setText(joining, "Checking your code…");
  joining.hidden = false;
  const connection = new Connection({
    credential: { code },
    handlers: {
      welcome(frame) {
        connection.close();
        const snap = frame.snapshot;
        const team = snap.teams.find((t) => t.id === frame.me.team);
        const role = snap.roles.find((r) => r.id === frame.me.role);
        const session = {
          token: frame.token,
          me: frame.me,
          epoch: frame.epoch,
          labels: {
            team: team ? `${team.name}` : "Exercise staff",
            role: role?.name ?? STAFF_ROLES[frame.me.role] ?? frame.me.role,
            exercise: snap.exercise.title,
          },
        };
        clearSession();
        saveSession(session);
        showIdentity(session, true);
      },
      status(state, detail) {
        if (state === "reconnecting" && JOIN_STOPS[detail.code]) {
          connection.close(); // the server said why: trying again at once would not help
          showForm(JOIN_STOPS[detail.code]);
        } else if (state === "reconnecting") setText(joining, "Cannot reach the server yet; trying again…");
      },
      stop(code, reason) {
        showForm(code === 4501 ? "This join code is not valid. Check it and try again." : reason);
      },
    },
  }).start();
}

$("#join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = $("#code").value.trim();
  if (code) join(code);
});

$("#not-me").addEventListener("click", () => {
  if (redirect !== null) clearTimeout(redirect);
  clearSession();
  $("#code").value = "";
  showForm(null);
});

// A join link opened while this page is already open only changes the fragment.
window.addEventListener("hashchange", () => {
  const code = codeFromFragment();
  if (code) join(code);
});

const fromLink = codeFromFragment();
const existing = loadSession();
if (fromLink) join(fromLink);
else if (existing?.labels) showIdentity(existing, false);
else showForm(null);
