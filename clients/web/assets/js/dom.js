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
 * Keep `container`'s children equal to `items` by key: append what is new, rebuild when
 * anything else changed. Lists here only grow between resets, so this is nearly always an append.
 */
export function syncList(container, items, keyOf, build) {
  const existing = Array.from(container.children);
  const keys = items.map(keyOf);
  const prefix = existing.every((node, i) => node.dataset.key === keys[i]);
  if (!prefix || existing.length > keys.length) {
    container.replaceChildren();
    existing.length = 0;
  }
  for (let i = existing.length; i < items.length; i++) {
    const node = build(items[i]);
    node.dataset.key = keys[i];
    container.append(node);
  }
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
