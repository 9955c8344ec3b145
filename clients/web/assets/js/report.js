// The console's Report button: downloads every debrief report of the exercise in one ZIP (HTML,
// PDF and XLSX, for the whole exercise and for each team), from
// GET /api/exercises/{id}/report?format=zip with this tab's staff session token (docs/debrief.md).

import { loadSession } from "./session.js";

/** The exercise a session token names (its first part is base64url JSON: [exercise, ...]). */
export function exerciseOf(token) {
  const body = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(body + "=".repeat((4 - (body.length % 4)) % 4)))[0];
}

/** Fetch the reports and hand them to the browser as a download; say how it went in `status`. */
export async function downloadReport(button, status) {
  const session = loadSession();
  if (!session) return;
  const exercise = exerciseOf(session.token);
  button.disabled = true;
  status.textContent = "Preparing the reports…";
  try {
    const response = await fetch(`/api/exercises/${encodeURIComponent(exercise)}/report?format=zip`, {
      headers: { Authorization: `Bearer ${session.token}` },
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      status.textContent = `No report: ${answer.error?.message ?? response.statusText}`;
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `${exercise}-reports.zip`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    status.textContent = "Reports downloaded.";
  } catch {
    status.textContent = "No report: the server could not be reached.";
  } finally {
    button.disabled = false;
  }
}

const button = document.getElementById("report");
const status = document.getElementById("report-status");
if (button && status) button.addEventListener("click", () => downloadReport(button, status));
