// The team station: the exercise clock, the inject inbox, requests between countries (compose,
// incoming, outgoing, with their deadlines), the case file, actions, the team channel, the
// channel with control (and the mentor's prompts) and who of the team is online.

import { run, simNowOf, startPage } from "./app.js";
import { beep, onScreen, Presence, Seen, setSound, soundOn, titleWith } from "./attention.js";
import { stamp, stampOf } from "./clockstamp.js";
import { $, el, rebuildKeeping, replaceIfChanged, setText, syncList, wallTime } from "./dom.js";
import { Drafts, restore, valueOf } from "./drafts.js";
import { fieldLabel, humanize } from "./labels.js";
import { countLength, limitsOf } from "./limits.js";
import { renderMarkdown } from "./markdown.js";
import { agencyName, authorName, formatSim, isOnline, roleName, signedName, teamName } from "./model.js";
import { loadOlderRequests, loadRequestsInFlight, renderEdge, renderHistory, wireHistory } from "./history.js";
import { hasLocalTimes, localLine, offsetOf, offsetText, profileLines, ruleText, rulesFor, countryIn } from "./localtime.js";
import { renderQuestionnaires } from "./questionnaire.js";
import { deadlineNode, fieldList, historyList, isOverdue, requestTitle, route, statusTag, tickCountdowns } from "./panels.js";
import { amendBox, amendmentList, conditionText, consentLine, consentSide, deadlineList, markConditional } from "./request-practice.js";
import {
  CLOSED,
  countryOf,
  EVIDENTIAL,
  instrument,
  instrumentsTowards,
  isAbandoned,
  mayAnswer,
  mayReceive,
  OUTBOX,
  reachableTeams,
  RECEIVED,
  roleCaps,
  words,
} from "./play.js";

const expanded = new Set(); // the injects and requests this page shows opened
const page = { drafts: null, seen: null, presence: null, restored: new Set(), urgent: null, unread: {} };

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
      typeof item.sim_time === "number" ? stampOf(item) : el("time", { class: "muted" }, wallTime(item.at)),
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
  page.unread.injects = unread;
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
        el("div", { class: "inject-body" }, el("div", { class: "md" }, ...renderMarkdown(row.body)), releasedNote(model, row)),
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

/** Steps of a request this participant has not seen yet (a request to them, or news on theirs). */
function isNew(model, request, incoming) {
  const history = request.history ?? [];
  const last = history[history.length - 1];
  if (!last || last.by === model.me.participant) return false;
  if (history.length <= page.seen.get(`request:${request.id}`, 0)) return false;
  return incoming || !["draft", "withdrawn"].includes(last.status);
}

/** A draft of my team that my role must co-sign (validate) before it can be sent. */
function waitsForMe(model, request) {
  const caps = roleCaps(model, model.me.role);
  return request.status === "draft" && request.author !== model.me.participant && caps.has(`validate:${request.instrument}`);
}

function requestCard(ctx, request, incoming, simNow) {
  const { model } = ctx;
  const key = `r:${request.id}`;
  const overdue = isOverdue(request, simNow);
  const fresh = isNew(model, request, incoming);
  const mine = waitsForMe(model, request);
  const details = el(
    "details",
    { class: `request${overdue ? " overdue" : ""}${fresh ? " is-new" : ""}${mine ? " waits-for-me" : ""}`, dataset: { request: request.id, status: request.status, new: String(fresh), waiting: mine ? "you" : "" }, open: expanded.has(key) },
    el(
      "summary",
      {},
      el(
        "span",
        { class: "request-tags" },
        fresh ? el("span", { class: "tag tone-new new-mark" }, incoming && !page.seen.get(`request:${request.id}`, 0) ? "New" : "Updated") : null,
        mine ? el("span", { class: "tag tone-warn cosign-tag" }, "Waiting for your co-signature") : statusTag(request),
      ),
      el("span", { class: "request-title" }, requestTitle(model, request)),
      el("span", { class: "muted request-route" }, route(model, request), request.urgent ? " · urgent" : ""),
      deadlineNode(request, simNow),
    ),
    el(
      "div",
      { class: "request-body" },
      otherSideNode(model, request, incoming, simNow),
      fieldList(model, request),
      deadlineList(request, simNow),
      consentLine(request),
      amendmentList(model, request, (id, a) => signedName(model, id, a.by_name, a.by_agency)),
      request.answer ? el("div", { class: "answer" }, el("strong", {}, request.status === "refused" ? `Refused (${words(request.ground)})` : "Answer"), el("div", { class: "md" }, ...renderMarkdown(request.answer))) : null,
      request.status === "refused" && !request.answer ? el("p", { class: "answer" }, `Refused: ${words(request.ground)}`) : null,
      historyList(model, request, (id, step) => signedName(model, id, step.by_name, step.by_agency)),
      requestActions(ctx, request, incoming),
    ),
  );
  details.addEventListener("toggle", () => {
    if (details.open) {
      expanded.add(key);
      if (page.seen.set(`request:${request.id}`, request.history?.length ?? 0)) ctx.render();
    } else expanded.delete(key);
  });
  return el("li", {}, details);
}

/** The other country's local time and whether its offices are open (kept current by `tick`). */
function otherSideNode(model, request, incoming, simNow) {
  const team = incoming ? request.source_team : request.target_team;
  const country = countryOf(model, team);
  const agency = incoming ? "" : request.target_agency;
  const text = localLine(model, country, agency, simNow);
  return text ? el("p", { class: "muted small request-local", dataset: { country, agency } }, text) : null;
}

function requestActions(ctx, request, incoming) {
  const { model } = ctx;
  const caps = roleCaps(model, model.me.role);
  const id = request.id;
  const cmd = (name, args, label, cls = "") => el("button", { type: "button", class: `small ${cls}`, onclick: (e) => act(ctx, name, { request: id, ...args() }, e.target) }, label);
  const text = (suffix, label) => [el("label", { for: `${suffix}-${id}` }, label), el("textarea", { id: `${suffix}-${id}`, rows: 2, maxlength: limitsOf(model).request_text, dataset: { limit: "request_text" } })];
  const value = (suffix) => $(`#${CSS.escape(`${suffix}-${id}`)}`)?.value ?? "";
  const parts = [];
  if (!incoming) {
    const mayDraft = caps.has(`issue:${request.instrument}`) || caps.has(`draft:${request.instrument}`);
    if (request.status === "draft" && caps.has(`validate:${request.instrument}`)) parts.push(cmd("request.validate", () => ({}), "Validate (co-sign)", waitsForMe(model, request) ? "primary" : ""));
    const canSend = caps.has(`issue:${request.instrument}`) || (caps.has(`draft:${request.instrument}`) && request.status === "validated");
    if (OUTBOX.has(request.status) && canSend) parts.push(cmd("request.send", () => ({}), "Send", "primary"));
    if (OUTBOX.has(request.status) && mayDraft) {
      parts.push(el("button", { type: "button", class: "small edit-draft", onclick: () => editDraft(ctx, request) }, "Edit"));
    }
    if (request.status === "draft" && !canSend && !caps.has(`validate:${request.instrument}`)) {
      parts.push(el("span", { class: "muted small" }, "Waiting for a co-signature (validation) before it can be sent."));
    }
    if (request.status === "validated" && request.validated_by) {
      parts.push(el("span", { class: "muted small" }, `Co-signed by ${authorName(model, request.validated_by)}; editing it clears the co-signature.`));
    }
    if (request.status === "clarification_requested") {
      parts.push(el("div", { class: "reply-box" }, ...text("clarify", "Your clarification"), cmd("request.clarify", () => ({ text: value("clarify") }), "Send clarification", "primary")));
      if (caps.has(`issue:${request.instrument}`) || caps.has(`validate:${request.instrument}`)) {
        parts.push(amendBox(model, request, (args, button) => act(ctx, "request.amend", { request: id, ...args }, button)));
      }
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
    if (mayReceive(model, request)) {
      // receive: alone: acknowledge and ask about it; the answer is another role's
      if (request.status === "sent") parts.push(cmd("request.acknowledge", () => ({}), "Acknowledge receipt"));
      parts.push(
        el("span", { class: "muted small" }, "Your role receives this instrument; another role answers it."),
        el("div", { class: "reply-box" }, ...text("reply", "Your question"), cmd("request.ask_clarification", () => ({ text: value("reply") }), "Ask for clarification")),
      );
    } else parts.push(el("span", { class: "muted small" }, "Another role of your team answers this instrument."));
  }
  if (consentSide(model, request, incoming, mayAnswer(model, request))) {
    parts.push(cmd("request.grant_consent", () => ({}), "Grant consent to onward use", "consent-grant"));
  }
  if (!parts.length) return null;
  return el("div", { class: "request-actions" }, el("p", { class: "error", role: "alert", hidden: true }), ...parts);
}

async function act(ctx, name, args, button) {
  const box = button.closest(".request-actions").querySelector(".error");
  if (name === "request.withdraw" && !window.confirm(`Withdraw request ${args.request}?`)) return;
  button.disabled = true;
  const done = await run(ctx, name, args, box);
  button.disabled = false;
  if (done && ["request.answer", "request.ask_clarification", "request.refuse", "request.clarify"].includes(name)) {
    page.drafts.clear([`reply-${args.request}`, `clarify-${args.request}`]);
  }
}

function renderRequests(ctx) {
  const { model } = ctx;
  const simNow = simNowOf(ctx);
  const all = Object.values(model.requests)
    .filter((r) => !isAbandoned(r))
    .sort((a, b) => (b.history?.[0]?.sim_time ?? 0) - (a.history?.[0]?.sim_time ?? 0) || b.id.localeCompare(a.id, undefined, { numeric: true }));
  const incoming = all.filter((r) => r.to === model.me.team && r.from !== model.me.team);
  const outgoing = all.filter((r) => r.from === model.me.team);
  const seen = JSON.stringify(all.map((r) => page.seen.get(`request:${r.id}`, 0)));
  for (const [list, items, isIn, empty] of [
    [$("#inbox"), incoming, true, $("#inbox-empty")],
    [$("#outbox"), outgoing, false, $("#outbox-empty")],
  ]) {
    const signature = JSON.stringify([items, [...expanded], model.exercise.status, seen]);
    rebuildKeeping(list, signature, () => items.map((r) => requestCard(ctx, r, isIn, simNow)));
    empty.hidden = items.length > 0;
    empty.dataset.none ??= empty.textContent; // the page's own words, for when nothing is older
    empty.textContent = (model.requestsBefore ?? null) !== null ? "None among the latest requests: older ones load below." : empty.dataset.none;
  }
  page.unread.requests = incoming.filter((r) => isNew(model, r, true)).length + outgoing.filter((r) => isNew(model, r, false) || waitsForMe(model, r)).length;
  renderOlderRequests(ctx);
  renderComposer(ctx);
}

/** The welcome carries the latest requests: older ones load on demand (history.js). */
function renderOlderRequests(ctx) {
  const { model } = ctx;
  const more = (model.requestsBefore ?? null) !== null;
  const flying = model.requestsOlderInFlight ?? 0;
  const label = flying ? `Load older requests (${flying} still in flight)` : "Load older requests";
  renderEdge(ctx, $("#requests-older"), { name: "requests", more, empty: !more, label, load: () => loadOlderRequests(ctx) });
  loadRequestsInFlight(ctx);
}

function renderComposer(ctx) {
  const { model } = ctx;
  const form = $("#request-form");
  const editing = form.dataset.editing ? model.requests[form.dataset.editing] : null;
  if (form.dataset.editing && (!editing || !OUTBOX.has(editing.status))) stopEditing(); // sent or withdrawn meanwhile
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
  const current = form.dataset.editing ? model.requests[form.dataset.editing] : null;
  $("#request-send").hidden = !issue;
  setText($("#request-save"), current ? "Save changes" : issue ? "Save draft" : "Save draft for validation");
  $("#request-urgent").closest("label").hidden = !inst?.deadlines.some((d) => d.urgent);
  setText(
    $("#request-instrument-info"),
    inst
      ? `${inst.legal_basis} · via ${inst.channel} · ${humanize(inst.receiver)} receives it${inst.deadlines[0] ? ` · legal deadline ${inst.deadlines[0].legal}` : ""}${issue ? "" : " · your role drafts it; a co-signature (validation) is needed before it is sent"}`
      : "",
  );
  renderLegalNotes(ctx, inst, country?.id);
  // An agency field names an agency of its side of the request: ours (the issuing authority) or theirs.
  const own = model.catalogue?.countries.find((c) => c.id === countryOf(model, model.me.team));
  const sides = { source: own, target: country };
  const limits = limitsOf(model);
  replaceIfChanged($("#request-fields"), JSON.stringify([inst, country?.id]), () => (inst ? inst.fields.map((f) => fieldInput(f, sides, limits)) : []));
  countLength($("#request-subject"), limits.request_subject);
  for (const area of document.querySelectorAll("#request-fields textarea, #request-fields input[type=text]")) countLength(area, limits.request_field);
  markConditional(inst, formValues());
}

function fieldInput(spec, sides, limits) {
  const id = `field-${spec.key}`;
  const label = fieldLabel(spec);
  const hint = spec.required_if
    ? conditionText(spec.required_if)
    : [spec.required ? "required" : "optional", spec.min_length ? `at least ${spec.min_length} characters` : ""].filter(Boolean).join(", ");
  const head = el("label", { for: id }, label, " ", el("span", { class: "muted small field-hint" }, `(${hint})`));
  const data = { dataset: { key: spec.key, type: spec.type } };
  const problem = el("p", { class: "field-error error", hidden: true });
  const wrap = { class: "field", dataset: { field: spec.key } };
  switch (spec.type) {
    case "bool":
      return el("div", { ...wrap, class: "field check" }, el("label", {}, el("input", { type: "checkbox", id, ...data }), ` ${label}`), problem);
    case "number":
      return el("div", wrap, head, el("input", { type: "number", id, step: "any", ...data }), problem);
    case "enum":
      return el("div", wrap, head, el("select", { id, ...data }, el("option", { value: "" }, "Choose…"), ...spec.choices.map((c) => el("option", { value: c }, humanize(c)))), problem);
    case "multiselect":
      return el(
        "fieldset",
        { class: "field choices", dataset: { key: spec.key, type: spec.type, field: spec.key } },
        el("legend", {}, label, " ", el("span", { class: "muted small field-hint" }, `(${hint})`)),
        ...spec.choices.map((c) => el("label", {}, el("input", { type: "checkbox", value: c, id: `${id}-${c}` }), ` ${humanize(c)}`)),
        problem,
      );
    case "agency": {
      const types = spec.agency_types ?? [];
      const offered = (sides[spec.side ?? "source"]?.agencies ?? []).filter((a) => !types.length || types.includes(a.type));
      return el("div", wrap, head, el("select", { id, ...data }, el("option", { value: "" }, "Choose…"), ...offered.map((a) => el("option", { value: a.id }, a.name))), problem);
    }
    case "entities":
      return el("div", wrap, head, el("input", { type: "text", id, placeholder: "Names, separated by commas", autocomplete: "off", ...data }), problem);
    case "date":
      return el("div", wrap, head, el("input", { type: "text", id, placeholder: "e.g. 2026-03-14 or D1 08:30", autocomplete: "off", ...data }), problem);
    default:
      return el("div", wrap, head, el("textarea", { id, rows: 3, ...data }), problem);
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

/** Put a request's form into the composer's fields (editing a draft). */
function fillForm(request) {
  for (const node of document.querySelectorAll("#request-fields [data-key]")) {
    const { key, type } = node.dataset;
    const value = request.fields?.[key];
    if (type === "multiselect") for (const box of node.querySelectorAll("input")) box.checked = Array.isArray(value) && value.includes(box.value);
    else if (type === "bool") node.checked = value === true;
    else if (type === "entities") node.value = Array.isArray(value) ? value.join(", ") : "";
    else node.value = value === undefined || value === null ? "" : String(value);
    node.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

/** Mark the fields an `invalid_args` reply names (`field 'key': problem; ...`); true if any. */
function markFields(message) {
  clearMarks();
  let marked = false;
  for (const part of String(message ?? "").split("; ")) {
    const match = /^field '([^']+)': (.*)$/.exec(part) ?? (/^subject: (.*)$/.test(part) || /^args\.subject: (.*)$/.test(part) ? [part, "subject", part.replace(/^(args\.)?subject: /, "")] : null);
    if (!match) continue;
    const field = match[1] === "subject" ? $("#request-form .subject-field") : $(`#request-form [data-field="${CSS.escape(match[1])}"]`);
    if (!field) continue;
    field.classList.add("invalid");
    for (const control of field.querySelectorAll("input, select, textarea")) control.setAttribute("aria-invalid", "true");
    const box = field.querySelector(".field-error");
    if (box) {
      box.textContent = humanize(match[2]);
      box.hidden = false;
    }
    marked = true;
  }
  return marked;
}

function clearMarks() {
  for (const field of document.querySelectorAll("#request-form .invalid")) {
    field.classList.remove("invalid");
    for (const control of field.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
    const box = field.querySelector(".field-error");
    if (box) box.hidden = true;
  }
}

function showForm(open) {
  const form = $("#request-form");
  form.hidden = !open;
  $("#new-request").setAttribute("aria-expanded", String(open));
  page.drafts?.set("request-form:open", open);
  if (!open) stopEditing();
}

function stopEditing() {
  const form = $("#request-form");
  delete form.dataset.editing;
  page.drafts?.set("request-form:editing", "");
  for (const id of ["#request-to", "#request-instrument", "#request-agency"]) $(id).disabled = false;
  $("#request-editing").hidden = true;
}

/** Open the composer on a draft (or a validated request) of the team: change it, then save or send. */
function editDraft(ctx, request) {
  const form = $("#request-form");
  form.dataset.editing = request.id;
  page.drafts.set("request-form:editing", request.id);
  showForm(true);
  $("#request-to").value = request.to;
  renderComposer(ctx);
  $("#request-instrument").value = request.instrument;
  renderComposer(ctx);
  $("#request-agency").value = request.agency ?? "";
  for (const id of ["#request-to", "#request-instrument", "#request-agency"]) $(id).disabled = true;
  $("#request-subject").value = request.subject ?? "";
  $("#request-subject").dispatchEvent(new Event("input", { bubbles: true }));
  $("#request-urgent").checked = Boolean(request.urgent);
  fillForm(request);
  clearMarks();
  const note = $("#request-editing");
  note.textContent = `Editing ${request.id}${request.status === "validated" ? ": saving a change clears its co-signature" : ""}.`;
  note.hidden = false;
  $("#request-subject").focus();
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
        el("h3", {}, `${humanize(kind)} (${groups.get(kind).length})`),
        el("ul", { class: "artefacts" }, ...groups.get(kind).map((item) => artefactCard(ctx, item, others))),
      ),
    ),
  );
  $("#casefile-empty").hidden = items.length > 0;
}

function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
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
    item.condition ? el("p", { class: `artefact-condition condition-${item.condition.state}` }, [`${capitalised(words(item.condition.state))} at ${formatSim(item.condition.sim_time)}`, item.condition.location ? `now at ${item.condition.location}` : "", item.condition.note].filter(Boolean).join(" · ")) : null,
    item.pending ? el("p", { class: "muted small" }, "Loading the item's text…") : el("div", { class: "md artefact-content" }, ...renderMarkdown(item.content ?? "")),
    el("p", { class: "muted small" }, [item.id, origin, item.sim_time !== undefined ? formatSim(item.sim_time) : ""].filter(Boolean).join(" · ")),
    item.consent ? el("p", { class: "artefact-consent tag tone-ok" }, `Consent to ${Object.entries(item.consent).map(([use, requests]) => `${use === "onward" ? "passing on" : "use as evidence"} (${requests.join(", ")})`).join(", ")}`) : null,
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
        stamp(a.sim_time, a.at),
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

/** Per exercise and participant: drafts and read marks (localStorage); made on the first render. */
function ensureStores(model) {
  const scope = `${model.exercise.id}`;
  if (page.drafts?.scope === `${scope}/${model.me.participant}`) return;
  page.drafts = new Drafts(scope, model.me.participant);
  page.drafts.scope = `${scope}/${model.me.participant}`;
  page.seen = new Seen(scope, model.me.participant);
  page.restored = new Set();
}

/** Put back, once per page, what was typed before a reload: open form first, then the controls. */
function restoreDrafts(ctx) {
  const drafts = page.drafts;
  if (!page.restored.has("request-form") && drafts.get("request-form:open")) {
    page.restored.add("request-form");
    const editing = drafts.get("request-form:editing");
    const request = editing ? ctx.model.requests[editing] : null;
    if (request && OUTBOX.has(request.status)) {
      editDraft(ctx, request);
    } else {
      showForm(true);
      for (const id of ["request-to", "request-instrument", "request-agency"]) {
        if (drafts.has(id) && restore($(`#${id}`), drafts.get(id))) renderComposer(ctx);
        page.restored.add(id);
      }
    }
  }
  for (const id of Object.keys(drafts.values)) {
    if (page.restored.has(id) || id.includes(":")) continue;
    const control = document.getElementById(id);
    if (!control || !control.closest("#main")) continue;
    if (restore(control, drafts.get(id))) control.dispatchEvent(new Event("input", { bubbles: true }));
    page.restored.add(id);
  }
}

/** Keep what is typed into a control of the page (with an id) until it is sent. */
function keepTyping(event) {
  const control = event.target;
  if (!page.drafts || !control.id || !control.closest("#main") || control.closest(".share") || control.disabled) return;
  if (!["INPUT", "TEXTAREA", "SELECT"].includes(control.tagName)) return;
  page.restored.add(control.id); // typed here: a late restore must not overwrite it
  page.drafts.set(control.id, valueOf(control));
}

/** Unread per panel, read when the panel is on screen while the page is looked at. */
function renderAttention(ctx) {
  const { model } = ctx;
  const me = model.me.participant;
  const others = (items) => items.filter((item) => item.author !== me);
  const panels = [
    ["messages", "#messages", others(model.feed.filter((i) => i.channel === "team"))],
    ["control", "#announcements", others(model.feed.filter((i) => ["announcement", "control", "prompt"].includes(i.channel)))],
  ];
  const active = page.presence.active;
  for (const [name, list, items] of panels) {
    const newest = items.length ? items[items.length - 1].seq : 0;
    if (active && onScreen($(list)?.closest(".panel"))) page.seen.set(`feed:${name}`, Math.max(newest, page.seen.get(`feed:${name}`, 0)));
    page.unread[name] = items.filter((i) => i.seq > page.seen.get(`feed:${name}`, 0)).length;
  }
  const items = Object.values(model.caseFile).filter((i) => i.scope === "released" || i.shares?.length);
  const known = new Set(page.seen.get("casefile", []));
  if (active && onScreen($("#casefile")?.closest(".panel"))) {
    const all = items.map((i) => i.id);
    if (all.some((id) => !known.has(id))) page.seen.set("casefile", [...known, ...all.filter((id) => !known.has(id))]);
  }
  const seenNow = new Set(page.seen.get("casefile", []));
  page.unread.casefile = items.filter((i) => !seenNow.has(i.id)).length;
  const labels = { injects: "unread", requests: "new", messages: "new", control: "new", casefile: "new" };
  let total = 0;
  for (const [name, word] of Object.entries(labels)) {
    const count = page.unread[name] ?? 0;
    total += count;
    const badge = $(`#${name}-unread`);
    badge.hidden = count === 0;
    setText(badge, `${count} ${word}`);
    badge.dataset.count = String(count);
  }
  document.title = titleWith(total, `${model.exercise.title} · Liaison`);
}

/** A banner while the exercise is paused, and after the clock jumped (until dismissed). */
function renderClockBanner(ctx) {
  const { model } = ctx;
  const banner = $("#clock-banner");
  const jump = model.timeline.findLast((entry) => entry.kind === "clock.jumped");
  const showJump = jump && jump.seq > page.seen.get("clock-jump", 0);
  let text = "";
  if (model.exercise.status === "paused") text = `Exercise paused by control at ${formatSim(model.exercise.clock.sim_anchor)}: the clock has stopped and nothing new is released until it resumes.`;
  if (showJump) text = `${text ? `${text} ` : ""}The clock jumped from ${formatSim(jump.data.from_sim)} to ${formatSim(jump.data.clock.sim_anchor)}${jump.data.reason ? ` (${jump.data.reason})` : ""}: deadlines and injects moved on with it.`;
  banner.hidden = !text;
  banner.dataset.state = model.exercise.status === "paused" ? "paused" : showJump ? "jumped" : "";
  setText($("#clock-banner-text"), text);
  const dismiss = $("#clock-banner-dismiss");
  dismiss.hidden = !showJump;
  dismiss.dataset.seq = showJump ? String(jump.seq) : "";
}

/** Beep (when sound is on) for what became urgent since the last render. */
function soundUrgent(ctx) {
  const { model } = ctx;
  const urgent = new Set();
  for (const r of Object.values(model.requests)) {
    if (r.to === model.me.team && r.from !== model.me.team && r.urgent && RECEIVED.has(r.status)) urgent.add(`in:${r.id}`);
    if (r.from === model.me.team && (r.warned?.includes("overdue") || r.deadlines?.some((d) => d.warned?.includes("overdue"))) && !CLOSED.has(r.status)) urgent.add(`late:${r.id}`);
    if (waitsForMe(model, r) && r.urgent) urgent.add(`sign:${r.id}`);
  }
  const before = page.urgent;
  page.urgent = urgent;
  if (before === null) return; // the first render: what was there already is not news
  if ([...urgent].some((key) => !before.has(key)) && soundOn()) beep($("#sound"));
}

function render(ctx) {
  const model = ctx.model;
  ensureStores(model);
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

  const limits = limitsOf(model);
  countLength($("#message-text"), limits.message);
  countLength($("#control-text"), limits.message);
  countLength($("#action-subject"), limits.action_subject);
  countLength($("#action-note"), limits.action_note);
  for (const area of document.querySelectorAll("#main textarea[data-limit]")) countLength(area, limits[area.dataset.limit]);
  restoreDrafts(ctx);
  renderAttention(ctx);
  renderClockBanner(ctx);
  soundUrgent(ctx);
}

function tick(ctx) {
  tickCountdowns($("#main"), ctx.model.requests, simNowOf(ctx));
  renderLocalTimes(ctx);
}

/** The team's own local time beside the exercise clock, and the other side's in requests and the composer. */
function renderLocalTimes(ctx) {
  const { model } = ctx;
  const sim = simNowOf(ctx);
  const own = countryOf(model, model.me.team);
  const box = $("#local-clock");
  const country = countryIn(model, own);
  const agency = model.teams.find((t) => t.id === model.me.team)?.agency ?? ""; // a unit: its agency's clock
  const offset = offsetOf(model, own, agency);
  box.hidden = !hasLocalTimes(model) || !country;
  if (!box.hidden) setText(box, `${country.agency_time_offsets?.[agency] !== undefined ? agencyName(model, agency) : country.name} local time ${formatSim(sim + offset)} (${offsetText(offset)})`);
  for (const line of document.querySelectorAll(".request-local")) setText(line, localLine(model, line.dataset.country, line.dataset.agency, sim));
  const target = $("#request-local");
  if (target.dataset.country) setText(target, localLine(model, target.dataset.country, $("#request-agency").value || "", sim));
}

/** What the composer shows of the law and of time for the instrument and country picked. */
function renderLegalNotes(ctx, inst, countryId) {
  const { model } = ctx;
  const box = $("#request-legal");
  const own = countryOf(model, model.me.team);
  const local = $("#request-local");
  local.dataset.country = countryId ?? "";
  local.dataset.agency = $("#request-agency").value || "";
  setText(local, countryId ? localLine(model, countryId, local.dataset.agency, simNowOf(ctx)) : "");
  local.hidden = !local.textContent;
  const profile = countryId && countryId !== own ? profileLines(model, countryId) : [];
  const rules = inst && countryId ? rulesFor(model, inst.id, own, countryId) : [];
  const key = JSON.stringify([inst?.id, countryId, profile, rules.map((r) => r.id)]);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(
    ...(profile.length ? [el("p", { class: "legal-profile" }, el("strong", {}, `${countryIn(model, countryId)?.name ?? countryId} law: `), profile.join(" · "))] : []),
    ...rules.map((rule) => el("p", { class: `legal-rule legal-${rule.effect}`, dataset: { rule: rule.id, effect: rule.effect } }, ruleText(rule))),
  );
  box.hidden = !profile.length && !rules.length;
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
    if (result !== null && textarea.value === value) {
      textarea.value = "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      page.drafts?.clear([textarea.id]);
    }
    textarea.focus();
  });
}

/** Draft (and send) a new request, or save (and send) the draft being edited. */
async function submitRequest(ctx, send) {
  const form = $("#request-form");
  const error = $("#request-error");
  clearMarks();
  const subject = $("#request-subject").value;
  const fields = formValues();
  const urgent = $("#request-urgent").checked;
  const editing = form.dataset.editing;
  const failed = (box) => {
    if (!box.hidden && markFields(box.textContent)) box.textContent = `${box.textContent.split("; ").length > 1 ? "Some fields need" : "A field needs"} attention: see the marks below. (${box.textContent})`;
  };
  if (editing) {
    if (!(await run(ctx, "request.update", { request: editing, subject, fields, urgent }, error))) return failed(error);
    if (send && !(await run(ctx, "request.send", { request: editing }, error))) return failed(error);
  } else {
    const args = { instrument: $("#request-instrument").value, to: $("#request-to").value, subject, fields, urgent, send };
    if ($("#request-agency").value) args.agency = $("#request-agency").value;
    if (!(await run(ctx, "request.draft", args, error))) return failed(error); // both or neither: no draft left behind
  }
  form.reset();
  $("#request-fields").dataset.signature = "";
  page.drafts.clear(["request-to", "request-instrument", "request-agency", "request-subject", "request-urgent"], ["field-"]);
  showForm(false);
  ctx.render();
}

const ctx = startPage({ page: "station", render, tick });

if (ctx) {
  page.presence = new Presence();
  page.presence.onChange(() => ctx.render());
  for (const spec of [TEAM, ANNOUNCEMENTS, CONTROL]) wireHistory(ctx, spec);
  composer(ctx, $("#composer"), $("#message-text"), $("#send"), "message.post", "Send", $("#composer-error"));
  composer(ctx, $("#control-composer"), $("#control-text"), $("#control-send"), "message.control", "Post to control", $("#control-error"));
  document.addEventListener("input", keepTyping);
  document.addEventListener("change", keepTyping);
  let scrolling = null;
  window.addEventListener("scroll", () => {
    if (scrolling === null) scrolling = setTimeout(() => ((scrolling = null), ctx.render()), 300);
  }, { passive: true });

  const sound = $("#sound");
  sound.checked = soundOn();
  sound.addEventListener("change", () => {
    setSound(sound.checked);
    if (sound.checked) beep(sound); // let them hear what it sounds like
  });
  $("#clock-banner-dismiss").addEventListener("click", (event) => {
    page.seen?.set("clock-jump", Number(event.target.dataset.seq));
    ctx.render();
  });

  const form = $("#request-form");
  $("#new-request").addEventListener("click", () => {
    const open = form.hidden;
    showForm(open);
    if (open) $("#request-to").focus();
  });
  $("#request-cancel").addEventListener("click", () => {
    if (form.dataset.editing) {
      form.reset();
      $("#request-fields").dataset.signature = "";
    }
    page.drafts?.clear(["request-to", "request-instrument", "request-agency", "request-subject", "request-urgent"], ["field-"]);
    showForm(false);
    ctx.render();
  });
  for (const id of ["#request-to", "#request-instrument"]) $(id).addEventListener("change", () => ctx.render());
  for (const type of ["input", "change"]) $("#request-fields").addEventListener(type, () => markConditional(instrument(ctx.model, $("#request-instrument").value), formValues()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitRequest(ctx, event.submitter?.value === "send");
  });

  $("#action-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const args = { action: $("#action-name").value, subject: $("#action-subject").value.trim(), note: $("#action-note").value.trim() };
    if (await run(ctx, "action.take", args, $("#action-error"))) {
      for (const id of ["#action-subject", "#action-note"]) {
        $(id).value = "";
        $(id).dispatchEvent(new Event("input", { bubbles: true }));
      }
      page.drafts?.clear(["action-subject", "action-note", "action-name"]);
    }
  });
}
