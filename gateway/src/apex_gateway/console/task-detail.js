// One task: its fields, children, history and result (`GET /tasks/{id}`, `…/history`), followed
// by long-poll until it is final, and cancelling it (`DELETE /tasks/{id}`).

import { ApiError, call } from "./api.js";
import {
  badge,
  dash,
  el,
  errorText,
  fields,
  fill,
  isFinal,
  json,
  notice,
  percent,
  table,
  when,
} from "./dom.js";

const WAIT_S = 20; // each long-poll of an open task that is not final
const PAUSE_S = 2; // after a failed poll: the gateway is busy or restarting

/** The detail in `detail`; `changed(task)` hears of each new state. */
export function taskDetail(detail, changed) {
  let watch = null; // AbortController of the open task's reads

  async function show(id) {
    watch?.abort();
    if (!id) {
      fill(
        detail,
        el("p", { class: "empty" }, "Choose a task to see its children, history and result."),
      );
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
        task = await call("GET", `/tasks/${encodeURIComponent(id)}`, {
          query: { wait: WAIT_S },
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        await new Promise((r) => setTimeout(r, PAUSE_S * 1000));
        continue;
      }
      if (controller.signal.aborted) return;
      await drawDetail(task, controller.signal);
    }
  }

  async function drawDetail(task, signal, message) {
    changed(task);
    let history = null;
    try {
      history = (
        await call("GET", `/tasks/${encodeURIComponent(task.task_id)}/history`, { signal })
      ).items;
    } catch (error) {
      if (signal.aborted) return;
      history = error;
    }
    if (signal.aborted) return;
    const cancel = el(
      "button",
      {
        type: "button",
        class: "danger",
        id: "cancel-task",
        disabled: isFinal(task.state),
        on: { click: () => cancelTask(task) },
      },
      "Cancel task",
    );
    fill(
      detail,
      el(
        "div",
        { class: "detail-head" },
        el("h2", {}, "Task ", el("span", { class: "mono" }, task.task_id)),
        badge(task.state),
      ),
      message || null,
      task.error ? notice("error", errorText(task.error)) : null,
      fields([
        ["Kind", el("span", { class: "mono" }, task.kind)],
        ["Attempts", String(task.attempts)],
        ["Progress", percent(task.progress)],
        ["Created", when(task.created_at)],
        ["Updated", when(task.updated_at)],
        ["Next attempt", when(task.next_attempt_at)],
        ["Parent", task.parent_id ? taskLink(task.parent_id) : dash(null)],
        ["Trace", task.trace_id ? el("span", { class: "mono" }, task.trace_id) : dash(null)],
      ]),
      el(
        "div",
        { class: "actions" },
        cancel,
        isFinal(task.state) ? el("span", { class: "muted" }, "final: nothing to cancel") : null,
      ),
      el("h3", {}, `Children (${(task.children || []).length})`),
      children(task.children || []),
      el("h3", {}, "History"),
      history instanceof Error ? notice("error", history.message) : historyTable(history),
      el("h3", {}, "Result"),
      task.result === null || task.result === undefined
        ? el("p", { class: "empty" }, "No result.")
        : json(task.result),
    );
  }

  async function cancelTask(task) {
    let message;
    try {
      const now = await call("DELETE", `/tasks/${encodeURIComponent(task.task_id)}`);
      message = notice("ok", `Cancelled: the task is ${now ? now.state : "REVOKED"}.`);
    } catch (error) {
      message = notice(
        "error",
        error instanceof ApiError && error.status === 409
          ? `Not cancelled: ${error.message}`
          : error.message,
      );
    }
    watch?.abort();
    const controller = new AbortController();
    watch = controller;
    try {
      await drawDetail(
        await call("GET", `/tasks/${encodeURIComponent(task.task_id)}`),
        controller.signal,
        message,
      );
    } catch (error) {
      fill(detail, message, notice("error", error.message));
    }
  }

  return { show, stop: () => watch?.abort() };
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
        " ",
        el("span", { class: "muted" }, percent(child.progress)),
        child.error ? el("div", { class: "error" }, errorText(child.error)) : null,
      ),
    ),
  );
}

function historyTable(items) {
  const rows = items.map((entry) =>
    el(
      "tr",
      {},
      el("td", {}, when(entry.at)),
      el("td", {}, badge(entry.state)),
      el("td", { class: "num" }, entry.attempt),
      el("td", {}, errorText(entry.error)),
    ),
  );
  return table(["At", "State", ["Attempt", "num"], "Error"], rows, "No history.");
}
