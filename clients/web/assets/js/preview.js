// Control's read-only preview of a station (docs/protocol.md, `hello.preview`): the console
// opens `/station?preview=<participant>` in a new tab, which shares the console tab's session.
// The station then connects with the staff member's token and `preview`, and the server sends
// exactly that participant's view. Here: which participant, the "Preview — read only" banner,
// and no sending (every form control disabled; the server refuses commands all the same).

import { el } from "./dom.js";

export const READ_ONLY = "This is a read-only preview: nothing can be sent from it.";

/** The participant id this page previews (`?preview=P0006` on the station), or null. */
export function previewOf(page) {
  if (page !== "station") return null;
  const id = new URLSearchParams(window.location.search).get("preview");
  return id && /^[A-Za-z0-9_.:-]{1,64}$/.test(id) ? id : null;
}

/** The station page's address that previews `participant`. */
export function previewUrl(participant) {
  return `/station?preview=${encodeURIComponent(participant)}`;
}

/** Show the banner and disable what would send; called after every render of a preview. */
export function lockPreview(model, by) {
  document.body.dataset.preview = "true";
  let banner = document.getElementById("preview-banner");
  if (!banner) {
    banner = el("div", { id: "preview-banner", class: "banner banner-preview", role: "status" });
    document.querySelector(".topbar")?.after(banner);
  }
  const who = `${model.me.name}${model.me.team ? ` (${model.teams.find((t) => t.id === model.me.team)?.name ?? model.me.team})` : ""}`;
  const text = `The station of ${who}, as they see it.${by ? ` Opened by ${by.name}; the preview is in the log.` : ""} ${READ_ONLY}`;
  if (banner.dataset.text !== text) {
    banner.dataset.text = text;
    banner.replaceChildren(el("strong", {}, "Preview — read only."), " ", text);
  }
  for (const node of document.querySelectorAll("main textarea, main input, main select, main button[type=submit], main form button")) {
    if (!node.disabled) node.disabled = true;
  }
  const signOut = document.getElementById("sign-out");
  if (signOut) signOut.hidden = true; // this tab shares the console's session: closing it is enough
}
