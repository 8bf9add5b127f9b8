// Dead letters: the messages that could not be processed (`GET /admin/dead-letters`), by queue
// and reason; one's headers and body; replay one or all (`POST /admin/dead-letters/…/replay`).

import { call } from "./api.js";
import { dash, el, fields, fill, json, notice, table } from "./dom.js";

const CONFIRM_S = 5; // "Replay all" asks once more for this long

export function mount(container) {
  const queue = el("input", {
    type: "text",
    name: "queue",
    placeholder: "any queue",
    list: "queues",
    size: 26,
  });
  const queues = el("datalist", { id: "queues" });
  const reason = el("input", {
    type: "text",
    name: "reason",
    placeholder: "any reason (a part of it)",
    size: 22,
  });
  const limit = el(
    "select",
    { name: "limit" },
    [50, 100, 500].map((n) => el("option", { value: n }, n)),
  );
  const replayAll = el(
    "button",
    { type: "button", class: "danger", id: "replay-all" },
    "Replay all",
  );
  const status = el("div", { class: "status-line" });
  const outcome = el("div", { class: "outcome" });
  const rows = el("div", { class: "rows" });
  const detail = el("aside", { class: "detail", id: "dead-letter-detail" });
  const form = el(
    "form",
    { class: "filters", id: "dead-letter-filters" },
    el("label", {}, "Queue ", queue, queues),
    el("label", {}, "Reason ", reason),
    el("label", {}, "Show ", limit),
    el("button", { type: "submit" }, "Search"),
    replayAll,
  );
  fill(
    container,
    el(
      "div",
      { class: "split" },
      el("section", { class: "list" }, el("h1", {}, "Dead letters"), form, outcome, status, rows),
      detail,
    ),
  );

  let items = [];
  let selected = null;
  let armed = null; // the timer while "Replay all" waits for its confirmation

  async function load() {
    fill(status, "Loading…");
    try {
      const page = await call("GET", "/admin/dead-letters", {
        query: { queue: queue.value.trim(), reason: reason.value.trim(), limit: limit.value },
      });
      items = page.items;
      fill(
        status,
        `${items.length} shown of ${page.total} dead letter${page.total === 1 ? "" : "s"}`,
      );
      fill(
        queues,
        [...new Set(items.map((d) => d.queue).filter(Boolean))].map((q) =>
          el("option", { value: q }),
        ),
      );
    } catch (error) {
      items = [];
      fill(status, notice("error", error.message));
    }
    drawRows();
    const still = items.find((d) => d.id === selected);
    drawDetail(still || null);
  }

  function drawRows() {
    const body = items.map((d) =>
      el(
        "tr",
        {
          class: d.id === selected ? "selected" : undefined,
          "data-id": d.id,
          on: { click: () => drawDetail(d) },
        },
        el("td", { class: "mono" }, dash(d.queue)),
        el("td", { class: "mono" }, d.routing_key),
        el("td", { class: "clip", title: d.reason }, d.reason),
        el(
          "td",
          { class: "mono id", title: d.task_id || "" },
          d.task_id ? d.task_id.slice(0, 8) : dash(null),
        ),
        el(
          "td",
          { class: "mono id", title: d.message_id || "" },
          d.message_id ? d.message_id.slice(0, 8) : dash(null),
        ),
      ),
    );
    fill(
      rows,
      table(
        ["Queue", "Routing key", "Reason", "Task", "Message"],
        body,
        "No dead letters. Nothing is waiting for an operator.",
      ),
    );
  }

  function drawDetail(d) {
    selected = d ? d.id : null;
    drawRows();
    if (!d) {
      fill(
        detail,
        el("p", { class: "empty" }, "Choose a dead letter to see its headers and body."),
      );
      return;
    }
    const replay = el(
      "button",
      { type: "button", id: "replay-one", disabled: !d.queue, on: { click: () => replayOne(d) } },
      "Replay",
    );
    const where = d.queue
      ? `sends it back to ${d.queue} as a first attempt`
      : "it names no queue to go back to";
    fill(
      detail,
      el(
        "div",
        { class: "detail-head" },
        el("h2", {}, "Dead letter ", el("span", { class: "mono" }, d.id)),
      ),
      notice("error", d.reason),
      fields([
        ["Queue", el("span", { class: "mono" }, dash(d.queue))],
        ["Routing key", el("span", { class: "mono" }, d.routing_key)],
        [
          "Task",
          d.task_id
            ? el("a", { class: "mono", href: `#tasks/${encodeURIComponent(d.task_id)}` }, d.task_id)
            : dash(null),
        ],
        ["Message id", el("span", { class: "mono" }, dash(d.message_id))],
        ["Account", dash(d.account)],
        ["Content type", dash(d.content_type)],
      ]),
      el("div", { class: "actions" }, replay, el("span", { class: "muted" }, where)),
      el("h3", {}, "Headers"),
      headersTable(d.headers || {}),
      el("h3", {}, d.body_encoding === "base64" ? "Body (binary, base64)" : "Body"),
      body(d),
    );
  }

  async function replayOne(d) {
    await replay(`/admin/dead-letters/${encodeURIComponent(d.id)}/replay`, undefined);
  }

  async function replay(path, body) {
    try {
      const answer = await call("POST", path, { body });
      const done = answer.replayed;
      fill(
        outcome,
        notice(
          "ok",
          done.length === 0 ? "Nothing to replay." : `Replayed ${done.length}: `,
          done.map((r, i) => [
            i ? ", " : "",
            el("span", { class: "mono" }, r.id),
            " → ",
            el("span", { class: "mono" }, r.queue),
          ]),
        ),
      );
    } catch (error) {
      fill(outcome, notice("error", `Not replayed: ${error.message}`));
    }
    await load();
  }

  function disarm() {
    clearTimeout(armed);
    armed = null;
    replayAll.textContent = "Replay all";
    replayAll.classList.remove("armed");
  }

  replayAll.addEventListener("click", () => {
    const scope = queue.value.trim();
    if (!armed) {
      replayAll.textContent = scope ? `Replay every one of ${scope}?` : "Replay every dead letter?";
      replayAll.classList.add("armed");
      armed = setTimeout(disarm, CONFIRM_S * 1000);
      return;
    }
    disarm();
    replay("/admin/dead-letters/replay", scope ? { queue: scope } : {});
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  load();
  return { stop: disarm };
}

function headersTable(headers) {
  const rows = Object.entries(headers).map(([name, value]) =>
    el(
      "tr",
      {},
      el("td", { class: "mono" }, name),
      el("td", { class: "mono wrap" }, typeof value === "string" ? value : JSON.stringify(value)),
    ),
  );
  return table(["Header", "Value"], rows, "No headers.");
}

function body(d) {
  if (d.body_encoding !== "base64" && (d.content_type || "").includes("json")) {
    try {
      return json(JSON.parse(d.body));
    } catch {
      // not JSON after all: shown as it is
    }
  }
  return el("pre", { class: "json" }, d.body);
}
