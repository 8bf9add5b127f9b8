// Every element of the console is built here, and every value goes in as text: nothing
// from the API (a project name, a dead letter's body) is ever parsed as markup.

/** `el("td", {class: "id", title: x, on: {click: f}}, "text", child, …)` */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = String(value);
    else if (name === "on")
      for (const [event, f] of Object.entries(value)) node.addEventListener(event, f);
    else if (name.startsWith("on") || name === "style") throw new Error(`no ${name} attribute`);
    else if (name in node && typeof value !== "string")
      node[name] = value; // checked, disabled…
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace what `node` holds. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const FINAL = new Set(["SUCCESS", "FAILURE", "REVOKED"]);
export const isFinal = (state) => FINAL.has(state);

export function badge(text, kind = String(text).toLowerCase()) {
  return el("span", { class: `badge badge-${kind}` }, text);
}

/** A time as `2026-12-07 11:42:35` UTC, the full value on hover. */
export function when(iso) {
  if (!iso) return el("span", { class: "muted" }, "—");
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toISOString().slice(0, 19).replace("T", " ");
  return el("time", { datetime: iso, title: iso }, text);
}

export function dash(value) {
  return value === null || value === undefined || value === ""
    ? el("span", { class: "muted" }, "—")
    : String(value);
}

/** A task's progress, 0 to 100. */
export function percent(progress) {
  return progress === null || progress === undefined ? dash(null) : `${Math.round(progress)} %`;
}

/** A definition list from `[label, value]` pairs. */
export function fields(pairs) {
  return el(
    "dl",
    { class: "fields" },
    pairs.map(([label, value]) => [el("dt", {}, label), el("dd", {}, value)]),
  );
}

/** A table; a heading given as `[text, "num"]` is aligned with its numbers. */
export function table(headings, rows, empty = "Nothing here.") {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  const head = headings.map((h) =>
    Array.isArray(h) ? el("th", { class: h[1] }, h[0]) : el("th", {}, h),
  );
  return el("table", {}, el("thead", {}, el("tr", {}, head)), el("tbody", {}, rows));
}

/** A line that says what happened (`kind`: ok, error, info). */
export function notice(kind, ...text) {
  return el(
    "p",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    ...text,
  );
}

export function errorText(error) {
  return error && error.code ? `${error.code}: ${error.message}` : "";
}

/** JSON shown as text, indented. */
export function json(value) {
  return el("pre", { class: "json" }, JSON.stringify(value, null, 2));
}
