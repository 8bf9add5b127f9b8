// Tasks: search the account's tasks (`GET /tasks`), newest first, page after page; one task's
// detail, children, history and result (`GET /tasks/{id}`, `…/history`), and cancel it.

import { ApiError, call } from "./api.js";
import { badge, dash, el, errorText, fields, fill, isFinal, json, notice, table, when } from "./dom.js";

const STATES = ["PENDING", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"];
const PAGE = 50;
const FOLLOWS = 5; // short pages followed per click, before the operator is asked again
const WAIT_S = 20; // long-poll of an open task that is not final

export function mount(container, taskId) {
  const stateBoxes = STATES.map((state) => el("input", { type: "checkbox", name: "state", value: state }));
  const kind = el("input", { type: "text", name: "kind", placeholder: "e.g. project.create", list: "kinds", size: 18 });
  const kinds = el("datalist", { id: "kinds" });
  const since = el("input", { type: "datetime-local", name: "since", step: 1 });
  const status = el("div", { class: "status-line" });
  const rows = el("div", { class: "rows" });
  const more = el("button", { type: "button", class: "secondary", hidden: true }, "More");
  const detail = el("aside", { class: "detail", id: "task-detail" });
  const form = el(
    "form",
    { class: "filters", id: "task-filters" },
    el("fieldset", { class: "states" }, el("legend", {}, "State"), STATES.map((state, i) => el("label", { class: "chip" }, stateBoxes[i], " ", state))),
    el("label", {}, "Kind ", kind, kinds),
    el("label", {}, "Since (UTC) ", since),
    el("button", { type: "submit" }, "Search"),
  );
  fill(container, el("div", { class: "split" }, el("section", { class: "list" }, el("h1", {}, "Tasks"), form, status, rows, more), detail));

  let items = [];
  let cursor = null;
  let selected = taskId;
  let search = 0; // a newer search makes the answers of older ones stale
  let watch = null; // AbortController of the open task's long-poll

  function query() {
    const chosen = stateBoxes.filter((box) => box.checked).map((box) => box.value);
    const sinceValue = since.value ? `${since.value.length === 16 ? `${since.value}:00` : since.value}Z` : undefined;
    return { state: chosen, kind: kind.value.trim() || undefined, since: sinceValue, limit: PAGE };
  }

  async function load(fresh) {
    const mine = fresh ? ++search : search;
    if (fresh) {
      items = [];
      cursor = null;
    }
    more.disabled = true;
    fill(status, "Loading…");
    try {
      let found = 0;
      for (let follow = 0; follow < FOLLOWS && found < PAGE; follow++) {
        const page = await call("GET", "/tasks", { query: { ...query(), cursor: cursor || undefined } });
        if (mine !== search) return;
        items.push(...page.items);
        found += page.items.length;
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      fill(status, `${items.length} task${items.length === 1 ? "" : "s"}${cursor ? ", more to look at" : ""}`);
    } catch (error) {
      if (mine === search) fill(status, notice("error", error.message));
    }
    more.hidden = !cursor;
    more.disabled = false;
    fill(kinds, [...new Set(items.map((t) => t.kind))].map((k) => el("option", { value: k })));
    drawRows();
  }

  function drawRows() {
    const body = items.map((task) =>
      el(
        "tr",
        { class: task.task_id === selected ? "selected" : undefined, "data-task-id": task.task_id, on: { click: () => open(task.task_id) } },
        el("td", {}, when(task.created_at)),
        el("td", { class: "mono" }, task.kind),
        el("td", {}, badge(task.state)),
        el("td", { class: "num" }, task.attempts),
        el("td", { class: "num" }, task.progress === null || task.progress === undefined ? dash(null) : `${Math.round(task.progress)} %`),
        el("td", { class: "mono id", title: task.task_id }, task.task_id.slice(0, 8)),
        el("td", { class: "clip", title: errorText(task.error) }, errorText(task.error)),
      ),
    );
    fill(rows, table(["Created", "Kind", "State", ["Tries", "num"], ["Progress", "num"], "Task", "Error"], body, "No task matches."));
  }

  function open(id) {
    window.location.hash = `#tasks/${encodeURIComponent(id)}`;
  }

  async function show(id) {
    watch?.abort();
    selected = id;
    drawRows();
    if (!id) {
      fill(detail, el("p", { class: "empty" }, "Choose a task to see its children, history and result."));
      return;
    }
    fill(detail, el("p", { class: "muted" }, "Loading…"));
    const controller = new AbortController();
    watch = controller;
    let task;
    try {
      task = await call("GET", `/tasks/${encodeURIComponent(id)}`, { signal: controller.signal });
    } catch (error) {
      if (!controller.signal.aborted) fill(detail, notice("error", error.message));
      return;
    }
    await drawDetail(task, controller.signal);
    while (!controller.signal.aborted && !isFinal(task.state)) {
      try {
        task = await call("GET", `/tasks/${encodeURIComponent(id)}`, { query: { wait: WAIT_S }, signal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 2000)); // the gateway is busy or restarting
        continue;
      }
      if (controller.signal.aborted) return;
      await drawDetail(task, controller.signal);
    }
  }

  async function drawDetail(task, signal, message) {
    const index = items.findIndex((t) => t.task_id === task.task_id);
    if (index >= 0) {
      items[index] = { ...items[index], ...task };
      drawRows();
    }
    let history = null;
    try {
      history = (await call("GET", `/tasks/${encodeURIComponent(task.task_id)}/history`, { signal })).items;
    } catch (error) {
      if (signal.aborted) return;
      history = error;
    }
    if (signal.aborted) return;
    const cancel = el("button", { type: "button", class: "danger", id: "cancel-task", disabled: isFinal(task.state), on: { click: () => cancelTask(task) } }, "Cancel task");
    fill(
      detail,
      el("div", { class: "detail-head" }, el("h2", {}, "Task ", el("span", { class: "mono" }, task.task_id)), badge(task.state)),
      message || null,
      task.error ? notice("error", errorText(task.error)) : null,
      fields([
        ["Kind", el("span", { class: "mono" }, task.kind)],
        ["Attempts", String(task.attempts)],
        ["Progress", task.progress === null || task.progress === undefined ? dash(null) : `${Math.round(task.progress)} %`],
        ["Created", when(task.created_at)],
        ["Updated", when(task.updated_at)],
        ["Next attempt", when(task.next_attempt_at)],
        ["Parent", task.parent_id ? taskLink(task.parent_id) : dash(null)],
        ["Trace", task.trace_id ? el("span", { class: "mono" }, task.trace_id) : dash(null)],
      ]),
      el("div", { class: "actions" }, cancel, isFinal(task.state) ? el("span", { class: "muted" }, "final: nothing to cancel") : null),
      el("h3", {}, `Children (${(task.children || []).length})`),
      children(task.children || []),
      el("h3", {}, "History"),
      history instanceof Error ? notice("error", history.message) : historyTable(history),
      el("h3", {}, "Result"),
      task.result === null || task.result === undefined ? el("p", { class: "empty" }, "No result.") : json(task.result),
    );
  }

  async function cancelTask(task) {
    let message;
    try {
      const now = await call("DELETE", `/tasks/${encodeURIComponent(task.task_id)}`);
      message = notice("ok", `Cancelled: the task is ${now ? now.state : "REVOKED"}.`);
    } catch (error) {
      message = notice("error", error instanceof ApiError && error.status === 409 ? `Not cancelled: ${error.message}` : error.message);
    }
    watch?.abort();
    const controller = new AbortController();
    watch = controller;
    try {
      await drawDetail(await call("GET", `/tasks/${encodeURIComponent(task.task_id)}`), controller.signal, message);
    } catch (error) {
      fill(detail, message, notice("error", error.message));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });
  more.addEventListener("click", () => load(false));
  load(true);
  show(selected);

  return {
    update(id) {
      if (id !== selected) show(id);
    },
    stop() {
      search++;
      watch?.abort();
    },
  };
}

function taskLink(id, text = id) {
  return el("a", { href: `#tasks/${encodeURIComponent(id)}`, class: "mono", title: id }, text);
}

function children(list) {
  if (list.length === 0) return el("p", { class: "empty" }, "No children.");
  return el(
    "ul",
    { class: "tree" },
    list.map((child) =>
      el(
        "li",
        {},
        badge(child.state),
        " ",
        el("span", { class: "mono" }, child.kind),
        " ",
        taskLink(child.task_id, child.task_id.slice(0, 8)),
        child.progress === null || child.progress === undefined ? null : el("span", { class: "muted" }, ` ${Math.round(child.progress)} %`),
        child.error ? el("div", { class: "error" }, errorText(child.error)) : null,
      ),
    ),
  );
}

function historyTable(items) {
  const rows = items.map((entry) =>
    el("tr", {}, el("td", {}, when(entry.at)), el("td", {}, badge(entry.state)), el("td", { class: "num" }, entry.attempt), el("td", {}, errorText(entry.error))),
  );
  return table(["At", "State", ["Attempt", "num"], "Error"], rows, "No history.");
}
