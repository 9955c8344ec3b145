// A small Markdown renderer for inject bodies and case-file items: a safe subset (paragraphs,
// line breaks, headings, emphasis, code, lists, quotes, tables, links to http/https only).
// It builds DOM nodes from text and never parses HTML: whatever the text holds (tags, entities,
// `javascript:` links) ends up as text on screen. No library, nothing downloaded.

import { el } from "./dom.js";

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** The nodes that show `text` as Markdown (an array of block elements). */
export function renderMarkdown(text) {
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  return blocks(lines);
}

function blocks(lines) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    if (FENCE.test(line)) {
      const fence = FENCE.exec(line)[1];
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence)) body.push(lines[i++]);
      i += 1; // the closing fence (or the end)
      out.push(el("pre", { class: "md-code" }, el("code", {}, body.join("\n"))));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1].length + 2); // inside a panel: # is an h3
      out.push(el(`h${level}`, { class: "md-heading" }, ...inline(heading[2])));
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      out.push(el("hr", {}));
      i += 1;
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const rows = [cells(line)];
      i += 2;
      while (i < lines.length && lines[i].includes("|") && lines[i].trim()) rows.push(cells(lines[i++]));
      out.push(table(rows));
      continue;
    }
    if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(QUOTE.exec(lines[i++])[1]);
      out.push(el("blockquote", { class: "md-quote" }, ...blocks(inner)));
      continue;
    }
    if (BULLET.test(line) || NUMBERED.test(line)) {
      const ordered = !BULLET.test(line);
      const pattern = ordered ? NUMBERED : BULLET;
      const items = [];
      while (i < lines.length) {
        const match = pattern.exec(lines[i]);
        if (match) {
          items.push([ordered ? match[2] : match[1]]);
          i += 1;
        } else if (items.length && lines[i].trim() && /^\s{2,}\S/.test(lines[i]) && !isBlockStart(lines[i])) {
          items[items.length - 1].push(lines[i].trim()); // a continuation line of the item
          i += 1;
        } else break;
      }
      const attrs = ordered ? { start: Number(NUMBERED.exec(line)[1]) === 1 ? null : Number(NUMBERED.exec(line)[1]) } : {};
      out.push(el(ordered ? "ol" : "ul", { class: "md-list", ...attrs }, ...items.map((item) => el("li", {}, ...withBreaks(item)))));
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !(paragraph.length && isBlockStart(lines[i]))) paragraph.push(lines[i++].trim());
    out.push(el("p", {}, ...withBreaks(paragraph)));
  }
  return out;
}

function isBlockStart(line) {
  return FENCE.test(line) || HEADING.test(line) || BULLET.test(line) || NUMBERED.test(line) || QUOTE.test(line) || RULE.test(line);
}

/** The lines of one paragraph or list item: inline Markdown, a line break between lines. */
function withBreaks(lines) {
  const nodes = [];
  lines.forEach((line, index) => {
    if (index) nodes.push(el("br", {}));
    nodes.push(...inline(line));
  });
  return nodes;
}

function cells(line) {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll("\\|", "|"));
}

function table([head, ...rows]) {
  const width = head.length;
  const pad = (row) => Array.from({ length: width }, (_, k) => row[k] ?? "");
  return el(
    "div",
    { class: "md-table" },
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ...head.map((cell) => el("th", { scope: "col" }, ...inline(cell))))),
      el("tbody", {}, ...rows.map((row) => el("tr", {}, ...pad(row).map((cell) => el("td", {}, ...inline(cell)))))),
    ),
  );
}

// Inline: `code`, [text](http(s) link), <http(s) link>, **strong**, __strong__, *em*, _em_.
const INLINE = /`([^`\n]+)`|\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)|<(https?:\/\/[^>\s]+)>|\*\*(?=\S)([^\n]*?\S)\*\*|__(?=\S)([^\n]*?\S)__|\*(?=[^\s*])([^*\n]*?[^\s*])?\*|(?<![\p{L}\p{N}_])_(?=[^\s_])([^_\n]*?[^\s_])?_(?![\p{L}\p{N}_])|\\([\\`*_[\]()#>|!-])/gu;

/** A link target that is safe to follow: http or https only; null otherwise. */
export function safeUrl(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function link(label, target, raw) {
  const href = safeUrl(target);
  if (!href) return [document.createTextNode(raw)]; // anything else stays text, as typed
  return [el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", class: "md-link" }, ...label)];
}

export function inline(text) {
  const nodes = [];
  let last = 0;
  for (const match of String(text).matchAll(INLINE)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    last = match.index + match[0].length;
    const [raw, code, label, target, bare, strong1, strong2, em1, em2, escaped] = match;
    if (code !== undefined) nodes.push(el("code", {}, code));
    else if (label !== undefined) nodes.push(...link(inline(label), target, raw));
    else if (bare !== undefined) nodes.push(...link([bare], bare, raw));
    else if (strong1 !== undefined || strong2 !== undefined) nodes.push(el("strong", {}, ...inline(strong1 ?? strong2)));
    else if (escaped !== undefined) nodes.push(document.createTextNode(escaped));
    else if (em1 !== undefined || em2 !== undefined) nodes.push(el("em", {}, ...inline(em1 ?? em2)));
    else nodes.push(document.createTextNode(raw)); // "**" or "__" alone
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}
