// Small DOM helpers. Text always goes in as text (textContent), never as HTML.

/** el("li", {class: "x", "aria-label": "y"}, "text", child, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Keep `container`'s children equal to `items`, in order, by key: nodes of items already shown
 * stay (and keep their state), new ones are built, others go. Items arrive at either end (live
 * ones at the newest end, older history at the other), so the list keeps the user's place: the
 * first node that stays keeps its position on screen, unless `stickToBottom` and the list was
 * scrolled to the bottom, where it stays.
 */
export function syncList(container, items, keyOf, build, { stickToBottom = false } = {}) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  const shown = new Map(Array.from(container.children, (node) => [node.dataset.key, node]));
  const keys = new Set(items.map(keyOf));
  const anchor = Array.from(container.children).find((node) => keys.has(node.dataset.key)) ?? null;
  const anchorTop = anchor ? anchor.offsetTop - container.scrollTop : 0;
  let cursor = container.firstElementChild;
  for (const item of items) {
    const key = keyOf(item);
    let node = shown.get(key);
    if (!node) {
      node = build(item);
      node.dataset.key = key;
    }
    if (node === cursor) cursor = cursor.nextElementSibling;
    else container.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
  if (stickToBottom && atBottom) container.scrollTop = container.scrollHeight;
  else if (anchor) container.scrollTop = anchor.offsetTop - anchorTop;
}

/** Rebuild a small list (a table body, say) only when its content signature changed. */
export function replaceIfChanged(container, signature, build) {
  if (container.dataset.signature === signature) return;
  container.dataset.signature = signature;
  container.replaceChildren(...build());
}

export function wallTime(at) {
  if (!at) return "";
  const d = new Date(at * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * `replaceIfChanged` for lists with forms in them: what the user typed or chose in a control
 * that has an id, which control had the focus and which <details> were open survive the rebuild.
 */
export function rebuildKeeping(container, signature, build) {
  if (container.dataset.signature === signature) return;
  const kept = new Map();
  for (const node of container.querySelectorAll("input[id], textarea[id], select[id]")) {
    kept.set(node.id, node.type === "checkbox" || node.type === "radio" ? node.checked : node.value);
  }
  const focused = container.contains(document.activeElement) ? document.activeElement.id : "";
  container.dataset.signature = signature;
  container.replaceChildren(...build());
  for (const [id, value] of kept) {
    const node = container.querySelector(`#${CSS.escape(id)}`);
    if (!node) continue;
    if (node.type === "checkbox" || node.type === "radio") node.checked = value;
    else if (node.tagName !== "SELECT" || Array.from(node.options).some((o) => o.value === value)) node.value = value;
  }
  if (focused) container.querySelector(`#${CSS.escape(focused)}`)?.focus();
}
