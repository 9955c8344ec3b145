// The team station: the exercise clock, the team channel, announcements from control and who
// of the team is online. Panels for injects, requests and the case file slot in beside these.

import { run, startPage } from "./app.js";
import { $, el, replaceIfChanged, setText, syncList, wallTime } from "./dom.js";
import { authorName, isOnline, roleName } from "./model.js";

function feedItem(ctx, item, className) {
  const model = ctx.model;
  const mine = item.author === model.me.participant;
  return el(
    "li",
    { class: `${className}${mine ? " mine" : ""}`, dataset: { seq: item.seq ?? "" } },
    el("div", { class: "item-head" }, el("span", { class: "author" }, mine ? "You" : authorName(model, item.author)), el("time", { class: "muted" }, wallTime(item.at))),
    el("p", { class: "text" }, item.text),
  );
}

function render(ctx) {
  const model = ctx.model;
  const messages = model.feed.filter((item) => item.channel === "team");
  const announcements = model.feed.filter((item) => item.channel === "announcement");
  const list = $("#messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  syncList(list, messages, (item) => item.key, (item) => feedItem(ctx, item, "message"));
  if (atBottom) list.scrollTop = list.scrollHeight;
  $("#messages-empty").hidden = messages.length > 0;
  syncList($("#announcements"), announcements, (item) => item.key, (item) => feedItem(ctx, item, "announcement"));
  $("#announcements-empty").hidden = announcements.length > 0;

  const mates = Object.values(model.participants)
    .filter((p) => !p.staff && p.team === model.me.team)
    .sort((a, b) => a.name.localeCompare(b.name));
  const signature = JSON.stringify(mates.map((p) => [p.id, p.name, p.role, isOnline(p)]));
  replaceIfChanged($("#teammates"), signature, () =>
    mates.map((p) => {
      const online = isOnline(p);
      return el(
        "li",
        { class: "person", dataset: { participant: p.id, online: String(online) } },
        el("span", { class: `dot ${online ? "on" : "off"}`, "aria-hidden": "true" }),
        el("span", { class: "person-name" }, p.name, p.id === model.me.participant ? " (you)" : ""),
        el("span", { class: "muted person-role" }, roleName(model, p.role)),
        el("span", { class: `state ${online ? "on" : "off"}` }, online ? "online" : "offline"),
      );
    }),
  );
}

const ctx = startPage({ page: "station", render });

if (ctx) {
  const form = $("#composer");
  const text = $("#message-text");
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = text.value;
    if (!value.trim()) return;
    const send = $("#send");
    send.disabled = true;
    setText(send, "Sending…");
    const result = await run(ctx, "message.post", { text: value }, $("#composer-error"));
    send.disabled = false;
    setText(send, "Send");
    if (result !== null && text.value === value) text.value = "";
    text.focus();
  });
}
