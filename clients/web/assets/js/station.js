// The team station: the exercise clock, the inject inbox, requests between countries (compose,
// incoming, outgoing, with their deadlines), the case file, actions, the team channel, the
// channel with control (and the mentor's prompts) and who of the team is online.

import { run, simNowOf, startPage } from "./app.js";
import { $, el, rebuildKeeping, replaceIfChanged, setText, syncList, wallTime } from "./dom.js";
import { authorName, formatSim, isOnline, roleName, signedName, teamName } from "./model.js";
import { renderHistory, wireHistory } from "./history.js";
import { renderQuestionnaires } from "./questionnaire.js";
import { deadlineNode, fieldList, historyList, isOverdue, requestTitle, route, statusTag, tickCountdowns } from "./panels.js";
import {
  CLOSED,
  countryOf,
  EVIDENTIAL,
  instrument,
  instrumentsTowards,
  mayAnswer,
  OUTBOX,
  reachableTeams,
  RECEIVED,
  roleCaps,
  words,
} from "./play.js";

const expanded = new Set(); // the injects and requests this page shows opened

// The feed lists, their threads (docs/protocol.md, `feed`) and where their older messages load.
const TEAM = { name: "team", list: "#messages", edge: "#messages-older", prefixes: ["team:"], label: "Load older messages", scroll: "top" };
const ANNOUNCEMENTS = { name: "announcements", list: "#announcements", edge: "#announcements-older", prefixes: ["announcement:"], label: "Load older announcements" };
const CONTROL = { name: "control", list: "#control-messages", edge: "#control-older", prefixes: ["control:", "prompt:"], label: "Load older messages" };

function feedItem(ctx, item, className) {
  const model = ctx.model;
  const mine = item.author === model.me.participant;
  const label = item.channel === "prompt" ? "Mentor prompt · " : item.channel === "control" && item.from_control !== false && !mine && !model.participants[item.author] ? "Exercise control · " : "";
  return el(
    "li",
    { class: `${className}${mine ? " mine" : ""}${item.channel === "prompt" ? " prompt" : ""}`, dataset: { seq: item.seq ?? "", channel: item.channel } },
    el(
      "div",
      { class: "item-head" },
      el("span", { class: "author" }, label, mine ? "You" : authorName(model, item.author)),
      el("time", { class: "muted" }, wallTime(item.at)),
    ),
    el("p", { class: "text" }, item.text),
  );
}

// -- injects ---------------------------------------------------------------------------------

function injectState(model, row) {
  const me = model.me.participant;
  if (row.acknowledged.includes(me)) return ["acknowledged", "Acknowledged"];
  if (row.opened.includes(me)) return ["opened", "Opened"];
  return ["unread", "Unread"];
}

function renderInjects(ctx) {
  const { model } = ctx;
  const rows = Object.values(model.injects)
    .filter((row) => row.status === "released")
    .sort((a, b) => (b.released_at ?? 0) - (a.released_at ?? 0) || String(b.id).localeCompare(String(a.id)));
  const unread = rows.filter((row) => injectState(model, row)[0] === "unread").length;
  setText($("#injects-count"), rows.length ? `${unread} unread of ${rows.length}` : "");
  const signature = JSON.stringify([rows.map((r) => [r.id, r.title, r.body, injectState(model, r)[0]]), [...expanded]]);
  replaceIfChanged($("#injects"), signature, () =>
    rows.map((row) => {
      const [state, label] = injectState(model, row);
      const details = el(
        "details",
        { class: `inject inject-${state}`, dataset: { inject: row.id, state }, open: expanded.has(`i:${row.id}`) },
        el(
          "summary",
          {},
          el("span", { class: `tag inject-state state-${state}` }, label),
          el("span", { class: "inject-title" }, row.title),
          el("span", { class: "inject-meta muted" }, `${row.sender} · ${words(row.channel)} · ${formatSim(row.released_at ?? 0)}`),
        ),
        el("div", { class: "inject-body" }, el("p", { class: "text" }, row.body), releasedNote(model, row)),
        el(
          "div",
          { class: "row" },
          el("p", { class: "error", role: "alert", hidden: true }),
          state === "acknowledged"
            ? el("span", { class: "muted small" }, "You acknowledged this.")
            : el("button", { type: "button", class: "primary small", "aria-label": `Acknowledge ${row.title}`, onclick: (e) => acknowledge(ctx, row, e.target) }, "Acknowledge"),
        ),
      );
      details.addEventListener("toggle", () => {
        const key = `i:${row.id}`;
        if (details.open && !expanded.has(key)) {
          expanded.add(key);
          if (state === "unread") run(ctx, "inject.open", { inject: row.id }, null);
        } else if (!details.open) expanded.delete(key);
      });
      return el("li", {}, details);
    }),
  );
  $("#injects-empty").hidden = rows.length > 0;
}

function releasedNote(model, row) {
  if (!row.releases?.length) return null;
  const titles = row.releases.map((id) => model.caseFile[id]?.title || id);
  return el("p", { class: "muted small" }, `Added to your case file: ${titles.join(", ")}`);
}

async function acknowledge(ctx, row, button) {
  button.disabled = true;
  const box = button.parentElement.querySelector(".error");
  await run(ctx, "inject.acknowledge", { inject: row.id }, box);
  button.disabled = false;
}

// -- requests ----------------------------------------------------------------------------------

function requestCard(ctx, request, incoming, simNow) {
  const { model } = ctx;
  const key = `r:${request.id}`;
  const overdue = isOverdue(request, simNow);
  const details = el(
    "details",
    { class: `request${overdue ? " overdue" : ""}`, dataset: { request: request.id, status: request.status }, open: expanded.has(key) },
    el(
      "summary",
      {},
      statusTag(request),
      el("span", { class: "request-title" }, requestTitle(model, request)),
      el("span", { class: "muted request-route" }, route(model, request), request.urgent ? " · urgent" : ""),
      deadlineNode(request, simNow),
    ),
    el(
      "div",
      { class: "request-body" },
      fieldList(model, request),
      request.answer ? el("div", { class: "answer" }, el("strong", {}, request.status === "refused" ? `Refused (${words(request.ground)})` : "Answer"), el("p", { class: "text" }, request.answer)) : null,
      request.status === "refused" && !request.answer ? el("p", { class: "answer" }, `Refused: ${words(request.ground)}`) : null,
      historyList(model, request, (id, step) => signedName(model, id, step.by_name, step.by_agency)),
      requestActions(ctx, request, incoming),
    ),
  );
  details.addEventListener("toggle", () => {
    if (details.open) expanded.add(key);
    else expanded.delete(key);
  });
  return el("li", {}, details);
}

function requestActions(ctx, request, incoming) {
  const { model } = ctx;
  const caps = roleCaps(model, model.me.role);
  const id = request.id;
  const cmd = (name, args, label, cls = "") => el("button", { type: "button", class: `small ${cls}`, onclick: (e) => act(ctx, name, { request: id, ...args() }, e.target) }, label);
  const text = (suffix, label) => [el("label", { for: `${suffix}-${id}` }, label), el("textarea", { id: `${suffix}-${id}`, rows: 2, maxlength: 20000 })];
  const value = (suffix) => $(`#${CSS.escape(`${suffix}-${id}`)}`)?.value ?? "";
  const parts = [];
  if (!incoming) {
    if (request.status === "draft" && caps.has(`validate:${request.instrument}`)) parts.push(cmd("request.validate", () => ({}), "Validate (co-sign)"));
    const canSend = caps.has(`issue:${request.instrument}`) || (caps.has(`draft:${request.instrument}`) && request.status === "validated");
    if (OUTBOX.has(request.status) && canSend) parts.push(cmd("request.send", () => ({}), "Send", "primary"));
    if (request.status === "draft" && !canSend && !caps.has(`validate:${request.instrument}`)) {
      parts.push(el("span", { class: "muted small" }, "Waiting for a co-signature (validation) before it can be sent."));
    }
    if (request.status === "clarification_requested") {
      parts.push(el("div", { class: "reply-box" }, ...text("clarify", "Your clarification"), cmd("request.clarify", () => ({ text: value("clarify") }), "Send clarification", "primary")));
    }
    if (!CLOSED.has(request.status)) parts.push(cmd("request.withdraw", () => ({}), "Withdraw", "danger"));
  } else if (mayAnswer(model, request) && RECEIVED.has(request.status)) {
    if (request.status === "sent") parts.push(cmd("request.acknowledge", () => ({}), "Acknowledge receipt"));
    const grounds = instrument(model, request.instrument)?.refusal_grounds ?? [];
    parts.push(
      el(
        "div",
        { class: "reply-box" },
        ...text("reply", "Answer, question or reason"),
        el(
          "div",
          { class: "reply-buttons" },
          cmd("request.answer", () => ({ text: value("reply") }), "Answer in full", "primary"),
          cmd("request.answer", () => ({ text: value("reply"), partial: true }), "Answer in part"),
          cmd("request.ask_clarification", () => ({ text: value("reply") }), "Ask for clarification"),
        ),
        el(
          "div",
          { class: "refuse" },
          el("label", { for: `ground-${id}` }, "Refusal ground"),
          el("select", { id: `ground-${id}` }, ...(grounds.length ? grounds : ["other"]).map((g) => el("option", { value: g }, words(g)))),
          cmd("request.refuse", () => ({ ground: value("ground"), text: value("reply") }), "Refuse", "danger"),
        ),
      ),
    );
  } else if (incoming && RECEIVED.has(request.status)) {
    parts.push(el("span", { class: "muted small" }, "Another role of your team answers this instrument."));
  }
  if (!parts.length) return null;
  return el("div", { class: "request-actions" }, el("p", { class: "error", role: "alert", hidden: true }), ...parts);
}

async function act(ctx, name, args, button) {
  const box = button.closest(".request-actions").querySelector(".error");
  if (name === "request.withdraw" && !window.confirm(`Withdraw request ${args.request}?`)) return;
  button.disabled = true;
  await run(ctx, name, args, box);
  button.disabled = false;
}

function renderRequests(ctx) {
  const { model } = ctx;
  const simNow = simNowOf(ctx);
  const all = Object.values(model.requests).sort((a, b) => (b.history?.[0]?.sim_time ?? 0) - (a.history?.[0]?.sim_time ?? 0) || b.id.localeCompare(a.id, undefined, { numeric: true }));
  const incoming = all.filter((r) => r.to === model.me.team && r.from !== model.me.team);
  const outgoing = all.filter((r) => r.from === model.me.team);
  for (const [list, items, isIn, empty] of [
    [$("#inbox"), incoming, true, $("#inbox-empty")],
    [$("#outbox"), outgoing, false, $("#outbox-empty")],
  ]) {
    const signature = JSON.stringify([items, [...expanded], model.exercise.status]);
    rebuildKeeping(list, signature, () => items.map((r) => requestCard(ctx, r, isIn, simNow)));
    empty.hidden = items.length > 0;
  }
  renderComposer(ctx);
}

function renderComposer(ctx) {
  const { model } = ctx;
  const teams = reachableTeams(model);
  $("#new-request").hidden = teams.length === 0;
  $("#request-none").hidden = teams.length > 0;
  const to = $("#request-to");
  replaceIfChanged(to, JSON.stringify(teams), () => teams.map((t) => el("option", { value: t.id }, `${t.name} (${t.country})`)));
  const offered = to.value ? instrumentsTowards(model, to.value) : [];
  const select = $("#request-instrument");
  replaceIfChanged(select, JSON.stringify(offered.map((i) => i.id)), () => offered.map((i) => el("option", { value: i.id }, `${i.name} (${i.id})`)));
  const inst = instrument(model, select.value);
  const country = model.catalogue?.countries.find((c) => c.id === countryOf(model, to.value));
  const agencies = (country?.agencies ?? []).filter((a) => !inst || a.type === inst.receiver);
  replaceIfChanged($("#request-agency"), JSON.stringify([inst?.id, agencies]), () => [
    el("option", { value: "" }, "The usual receiver"),
    ...agencies.map((a) => el("option", { value: a.id }, a.name)),
  ]);
  const caps = roleCaps(model, model.me.role);
  const issue = inst && caps.has(`issue:${inst.id}`);
  $("#request-send").hidden = !issue;
  setText($("#request-save"), issue ? "Save draft" : "Save draft for validation");
  $("#request-urgent").closest("label").hidden = !inst?.deadlines.some((d) => d.urgent);
  setText(
    $("#request-instrument-info"),
    inst
      ? `${inst.legal_basis} · via ${inst.channel} · ${inst.receiver} receives it${inst.deadlines[0] ? ` · legal deadline ${inst.deadlines[0].legal}` : ""}${issue ? "" : " · your role drafts it; a co-signature (validation) is needed before it is sent"}`
      : "",
  );
  // An agency field names an agency of its side of the request: ours (the issuing authority) or theirs.
  const own = model.catalogue?.countries.find((c) => c.id === countryOf(model, model.me.team));
  const sides = { source: own, target: country };
  replaceIfChanged($("#request-fields"), JSON.stringify([inst, country?.id]), () => (inst ? inst.fields.map((f) => fieldInput(f, sides)) : []));
}

function fieldInput(spec, sides) {
  const id = `field-${spec.key}`;
  const label = spec.label || words(spec.key);
  const hint = [spec.required ? "required" : "optional", spec.min_length ? `at least ${spec.min_length} characters` : ""].filter(Boolean).join(", ");
  const head = el("label", { for: id }, label, " ", el("span", { class: "muted small" }, `(${hint})`));
  const data = { dataset: { key: spec.key, type: spec.type } };
  switch (spec.type) {
    case "bool":
      return el("div", { class: "field check" }, el("label", {}, el("input", { type: "checkbox", id, ...data }), ` ${label}`));
    case "number":
      return el("div", { class: "field" }, head, el("input", { type: "number", id, step: "any", ...data }));
    case "enum":
      return el("div", { class: "field" }, head, el("select", { id, ...data }, el("option", { value: "" }, "Choose…"), ...spec.choices.map((c) => el("option", { value: c }, words(c)))));
    case "multiselect":
      return el(
        "fieldset",
        { class: "field choices", ...data },
        el("legend", {}, label, " ", el("span", { class: "muted small" }, `(${hint})`)),
        ...spec.choices.map((c) => el("label", {}, el("input", { type: "checkbox", value: c }), ` ${words(c)}`)),
      );
    case "agency": {
      const types = spec.agency_types ?? [];
      const offered = (sides[spec.side ?? "source"]?.agencies ?? []).filter((a) => !types.length || types.includes(a.type));
      return el("div", { class: "field" }, head, el("select", { id, ...data }, el("option", { value: "" }, "Choose…"), ...offered.map((a) => el("option", { value: a.id }, a.name))));
    }
    case "entities":
      return el("div", { class: "field" }, head, el("input", { type: "text", id, placeholder: "Names, separated by commas", autocomplete: "off", ...data }));
    case "date":
      return el("div", { class: "field" }, head, el("input", { type: "text", id, placeholder: "e.g. 2026-03-14 or D1 08:30", autocomplete: "off", ...data }));
    default:
      return el("div", { class: "field" }, head, el("textarea", { id, rows: 3, ...data }));
  }
}

function formValues() {
  const values = {};
  for (const node of document.querySelectorAll("#request-fields [data-key]")) {
    const { key, type } = node.dataset;
    if (type === "multiselect") values[key] = Array.from(node.querySelectorAll("input:checked"), (i) => i.value);
    else if (type === "bool") values[key] = node.checked;
    else if (type === "number") {
      if (node.value !== "") values[key] = Number(node.value);
    } else if (type === "entities") values[key] = node.value.split(",").map((s) => s.trim()).filter(Boolean);
    else if (node.value.trim() !== "") values[key] = node.value;
  }
  return values;
}

// -- case file -----------------------------------------------------------------------------------

const KIND_ORDER = ["document", "statement", "report", "record", "advert", "image", "message", "financial"];

function renderCaseFile(ctx) {
  const { model } = ctx;
  const items = Object.values(model.caseFile);
  const groups = new Map();
  for (const item of items) {
    const kind = item.kind ?? "received";
    if (!groups.has(kind)) groups.set(kind, []);
    groups.get(kind).push(item);
  }
  const kinds = [...groups.keys()].sort((a, b) => (KIND_ORDER.indexOf(a) + 1 || 99) - (KIND_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
  setText($("#casefile-count"), items.length ? `${items.length} item${items.length === 1 ? "" : "s"}` : "");
  const others = model.teams.filter((t) => t.id !== model.me.team);
  const signature = JSON.stringify([items, others]);
  rebuildKeeping($("#casefile"), signature, () =>
    kinds.map((kind) =>
      el(
        "section",
        { class: "kind-group", dataset: { kind } },
        el("h3", {}, `${words(kind)} (${groups.get(kind).length})`),
        el("ul", { class: "artefacts" }, ...groups.get(kind).map((item) => artefactCard(ctx, item, others))),
      ),
    ),
  );
  $("#casefile-empty").hidden = items.length > 0;
}

function artefactCard(ctx, item, others) {
  const { model } = ctx;
  const id = `share-${item.id}`;
  const origin = item.released_by ? `Received through ${item.released_by}` : item.shares?.length ? `Shared by ${teamName(model, item.shares[0].from)}` : item.owner ? `Source: ${item.owner}` : "";
  return el(
    "li",
    { class: "artefact", dataset: { artefact: item.id } },
    el(
      "div",
      { class: "artefact-head" },
      el("span", { class: "artefact-title" }, item.title ?? item.id),
      item.handling ? el("span", { class: `tag handling handling-${String(item.handling).toLowerCase()}`, title: "Handling code" }, `Handling ${item.handling}`) : null,
      item.evidential_status ? el("span", { class: `tag evidential ev-${item.evidential_status}` }, EVIDENTIAL[item.evidential_status] ?? words(item.evidential_status)) : null,
    ),
    item.pending ? el("p", { class: "muted small" }, "Loading the item's text…") : el("p", { class: "text artefact-content" }, item.content ?? ""),
    el("p", { class: "muted small" }, [item.id, origin, item.sim_time !== undefined ? formatSim(item.sim_time) : ""].filter(Boolean).join(" · ")),
    others.length && !item.pending
      ? el(
          "div",
          { class: "share" },
          el("label", { for: id }, "Share with team"),
          el("select", { id }, ...others.map((t) => el("option", { value: t.id }, t.name))),
          el(
            "button",
            {
              type: "button",
              class: "small",
              "aria-label": `Share ${item.title ?? item.id}`,
              onclick: (e) => share(ctx, item, $(`#${CSS.escape(id)}`).value, e.target),
            },
            "Share",
          ),
          el("p", { class: "error", role: "alert", hidden: true }),
        )
      : null,
  );
}

async function share(ctx, item, to, button) {
  const warn = item.handling === "H3" || item.evidential_status === "intelligence_consent_required";
  if (warn && !window.confirm(`${item.title}: handling ${item.handling}, ${EVIDENTIAL[item.evidential_status] ?? ""}. Share it with ${teamName(ctx.model, to)} anyway? Control and your mentor will see that you did.`)) return;
  button.disabled = true;
  const ok = await run(ctx, "artefact.share", { artefact: item.id, to }, button.parentElement.querySelector(".error"));
  button.disabled = false;
  if (ok) setText(button, "Shared ✓");
}

// -- actions -------------------------------------------------------------------------------------

function renderActions(ctx) {
  const { model } = ctx;
  const caps = roleCaps(model, model.me.role);
  const mine = (model.catalogue?.actions ?? []).filter((a) => caps.has(`act:${a.id}`));
  $("#action-form").hidden = mine.length === 0;
  $("#action-none").hidden = mine.length > 0;
  replaceIfChanged($("#action-name"), JSON.stringify(mine), () => mine.map((a) => el("option", { value: a.id }, a.name)));
  const names = new Map((model.catalogue?.actions ?? []).map((a) => [a.id, a.name]));
  const taken = model.actions.filter((a) => a.team === model.me.team).slice().reverse();
  replaceIfChanged($("#actions"), JSON.stringify(taken), () =>
    taken.map((a) =>
      el(
        "li",
        { dataset: { action: a.action } },
        el("span", { class: "muted" }, formatSim(a.sim_time)),
        " ",
        el("strong", {}, names.get(a.action) ?? words(a.action)),
        a.subject ? el("span", { class: "text" }, ` · ${a.subject}`) : null,
        el("span", { class: "muted" }, ` · ${authorName(model, a.participant)}`),
        a.note ? el("div", { class: "text muted small" }, a.note) : null,
      ),
    ),
  );
  $("#actions-empty").hidden = taken.length > 0;
}

// -- the page ------------------------------------------------------------------------------------

function render(ctx) {
  const model = ctx.model;
  const messages = model.feed.filter((item) => item.channel === "team");
  const announcements = model.feed.filter((item) => item.channel === "announcement");
  const control = model.feed.filter((item) => item.channel === "control" || item.channel === "prompt");
  syncList($("#messages"), messages, (item) => item.key, (item) => feedItem(ctx, item, "message"), { stickToBottom: true });
  $("#messages-empty").hidden = messages.length > 0;
  renderHistory(ctx, TEAM, messages.length);
  syncList($("#announcements"), announcements, (item) => item.key, (item) => feedItem(ctx, item, "announcement"));
  $("#announcements-empty").hidden = announcements.length > 0;
  renderHistory(ctx, ANNOUNCEMENTS, announcements.length);
  syncList($("#control-messages"), control, (item) => item.key, (item) => feedItem(ctx, item, "message"));
  $("#control-empty").hidden = control.length > 0;
  renderHistory(ctx, CONTROL, control.length);

  renderInjects(ctx);
  renderQuestionnaires(ctx);
  renderRequests(ctx);
  renderCaseFile(ctx);
  renderActions(ctx);

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

function tick(ctx) {
  tickCountdowns($("#main"), ctx.model.requests, simNowOf(ctx));
}

function composer(ctx, form, textarea, button, name, idle, errorBox) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = textarea.value;
    if (!value.trim()) return;
    button.disabled = true;
    setText(button, "Sending…");
    const result = await run(ctx, name, { text: value }, errorBox);
    button.disabled = false;
    setText(button, idle);
    if (result !== null && textarea.value === value) textarea.value = "";
    textarea.focus();
  });
}

const ctx = startPage({ page: "station", render, tick });

if (ctx) {
  for (const spec of [TEAM, ANNOUNCEMENTS, CONTROL]) wireHistory(ctx, spec);
  composer(ctx, $("#composer"), $("#message-text"), $("#send"), "message.post", "Send", $("#composer-error"));
  composer(ctx, $("#control-composer"), $("#control-text"), $("#control-send"), "message.control", "Post to control", $("#control-error"));

  const form = $("#request-form");
  const toggle = $("#new-request");
  const show = (open) => {
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) $("#request-to").focus();
  };
  toggle.addEventListener("click", () => show(form.hidden));
  $("#request-cancel").addEventListener("click", () => show(false));
  for (const id of ["#request-to", "#request-instrument"]) $(id).addEventListener("change", () => ctx.render());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const send = event.submitter?.value === "send";
    const args = {
      instrument: $("#request-instrument").value,
      to: $("#request-to").value,
      fields: formValues(),
      urgent: $("#request-urgent").checked,
    };
    if ($("#request-agency").value) args.agency = $("#request-agency").value;
    const error = $("#request-error");
    const drafted = await run(ctx, "request.draft", args, error);
    if (!drafted) return;
    if (send && !(await run(ctx, "request.send", { request: drafted.request }, error))) {
      expanded.add(`r:${drafted.request}`);
      ctx.render();
      return;
    }
    form.reset();
    $("#request-fields").dataset.signature = "";
    show(false);
    ctx.render();
  });

  $("#action-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const args = { action: $("#action-name").value, subject: $("#action-subject").value.trim(), note: $("#action-note").value.trim() };
    if (await run(ctx, "action.take", args, $("#action-error"))) {
      $("#action-subject").value = "";
      $("#action-note").value = "";
    }
  });
}
