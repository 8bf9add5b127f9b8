// Tasks: search the account's tasks (`GET /tasks`), newest first, page after page, beside the
// detail of the one chosen (`#tasks/<task id>`, task-detail.js).

import { call } from "./api.js";
import { badge, el, errorText, fill, notice, percent, table, when } from "./dom.js";
import { taskDetail } from "./task-detail.js";

const STATES = ["PENDING", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"];
const PAGE = 50;
const FOLLOWS = 5; // short pages followed per click, before the operator is asked again

export function mount(container, taskId) {
  const stateBoxes = STATES.map((state) =>
    el("input", { type: "checkbox", name: "state", value: state }),
  );
  const kind = el("input", {
    type: "text",
    name: "kind",
    placeholder: "e.g. project.create",
    list: "kinds",
    size: 18,
  });
  const kinds = el("datalist", { id: "kinds" });
  const since = el("input", { type: "datetime-local", name: "since", step: 1 });
  const status = el("div", { class: "status-line" });
  const rows = el("div", { class: "rows" });
  const more = el("button", { type: "button", class: "secondary", hidden: true }, "More");
  const panel = el("aside", { class: "detail", id: "task-detail" });
  const form = el(
    "form",
    { class: "filters", id: "task-filters" },
    el(
      "fieldset",
      { class: "states" },
      el("legend", {}, "State"),
      STATES.map((state, i) => el("label", { class: "chip" }, stateBoxes[i], " ", state)),
    ),
    el("label", {}, "Kind ", kind, kinds),
    el("label", {}, "Since (UTC) ", since),
    el("button", { type: "submit" }, "Search"),
  );
  fill(
    container,
    el(
      "div",
      { class: "split" },
      el("section", { class: "list" }, el("h1", {}, "Tasks"), form, status, rows, more),
      panel,
    ),
  );

  let items = [];
  let cursor = null;
  let selected = taskId;
  let search = 0; // a newer search makes the answers of older ones stale
  const detail = taskDetail(panel, changed);

  function query() {
    const chosen = stateBoxes.filter((box) => box.checked).map((box) => box.value);
    const sinceValue = since.value
      ? `${since.value.length === 16 ? `${since.value}:00` : since.value}Z`
      : undefined;
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
        const page = await call("GET", "/tasks", {
          query: { ...query(), cursor: cursor || undefined },
        });
        if (mine !== search) return;
        items.push(...page.items);
        found += page.items.length;
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      fill(
        status,
        `${items.length} task${items.length === 1 ? "" : "s"}${cursor ? ", more to look at" : ""}`,
      );
    } catch (error) {
      if (mine === search) fill(status, notice("error", error.message));
    }
    more.hidden = !cursor;
    more.disabled = false;
    fill(
      kinds,
      [...new Set(items.map((t) => t.kind))].map((k) => el("option", { value: k })),
    );
    drawRows();
  }

  function drawRows() {
    const body = items.map((task) =>
      el(
        "tr",
        {
          class: task.task_id === selected ? "selected" : undefined,
          "data-task-id": task.task_id,
          on: { click: () => open(task.task_id) },
        },
        el("td", {}, when(task.created_at)),
        el("td", { class: "mono" }, task.kind),
        el("td", {}, badge(task.state)),
        el("td", { class: "num" }, task.attempts),
        el("td", { class: "num" }, percent(task.progress)),
        el("td", { class: "mono id", title: task.task_id }, task.task_id.slice(0, 8)),
        el("td", { class: "clip", title: errorText(task.error) }, errorText(task.error)),
      ),
    );
    fill(
      rows,
      table(
        ["Created", "Kind", "State", ["Tries", "num"], ["Progress", "num"], "Task", "Error"],
        body,
        "No task matches.",
      ),
    );
  }

  function open(id) {
    window.location.hash = `#tasks/${encodeURIComponent(id)}`;
  }

  /** The open task changed: its row shows it too. */
  function changed(task) {
    const index = items.findIndex((t) => t.task_id === task.task_id);
    if (index >= 0) {
      items[index] = { ...items[index], ...task };
      drawRows();
    }
  }

  function show(id) {
    selected = id;
    drawRows();
    detail.show(id);
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
      detail.stop();
    },
  };
}
