// Health: each service's readiness, each queue's depth and consumers, the dead letters and
// whether RabbitMQ blocks publishers (`GET /admin/status`), refreshed while it is open.

import { call } from "./api.js";
import { badge, dash, el, fill, notice, table, when } from "./dom.js";

const EVERY_S = 10;
const DEAD_LETTER_QUEUE = "apex.dead-letters";

export function mount(container) {
  const refresh = el("button", { type: "button", class: "secondary" }, "Refresh");
  const updated = el("span", { class: "muted" });
  const content = el("div", {}, el("p", { class: "muted" }, "Loading…"));
  fill(
    container,
    el(
      "section",
      { class: "page" },
      el("div", { class: "page-head" }, el("h1", {}, "Health"), refresh, updated),
      content,
    ),
  );

  async function load() {
    try {
      draw(content, await call("GET", "/admin/status"));
      fill(updated, "updated ", when(new Date().toISOString()), ` · every ${EVERY_S} s`);
    } catch (error) {
      fill(content, notice("error", error.message));
    }
  }

  refresh.addEventListener("click", load);
  load();
  const timer = setInterval(load, EVERY_S * 1000);
  return { stop: () => clearInterval(timer) };
}

function draw(content, status) {
  const ready = status.services.filter((s) => s.ready).length;
  const broker = status.broker || { blocked: false };
  const dead = status.dead_letters;
  fill(
    content,
    el(
      "div",
      { class: "cards" },
      card(
        "Services ready",
        `${ready} / ${status.services.length}`,
        ready === status.services.length ? "ok" : "bad",
      ),
      card("Messages waiting", String(waiting(status.queues)), "plain"),
      card(
        "Dead letters, all accounts",
        el("a", { href: "#dead-letters" }, dash(dead)),
        dead === 0 ? "ok" : "warn",
      ),
      card(
        "Broker",
        broker.blocked ? `blocked${broker.reason ? `: ${broker.reason}` : ""}` : "accepting",
        broker.blocked ? "bad" : "ok",
      ),
    ),
    el(
      "div",
      { class: "columns" },
      el("div", {}, el("h2", {}, "Services"), services(status.services)),
      el("div", {}, el("h2", {}, "Queues"), queues(status.queues)),
    ),
  );
}

function services(list) {
  const rows = list.map((s) =>
    el(
      "tr",
      { "data-service": s.name },
      el("td", { class: "mono" }, s.name),
      el("td", {}, s.ready ? badge("ready", "success") : badge("not ready", "failure")),
      el("td", { class: "num" }, (s.instances || []).length),
      el("td", { class: "wrap" }, dash(s.detail)),
    ),
  );
  return table(
    ["Service", "Ready", ["Instances", "num"], "Detail"],
    rows,
    "No service has reported.",
  );
}

function queues(list) {
  const rows = list.map((q) =>
    el(
      "tr",
      { "data-queue": q.name, class: q.error || q.consumers === 0 ? "attention" : undefined },
      el("td", { class: "mono" }, q.name),
      el("td", { class: "num" }, dash(q.messages)),
      el("td", { class: "num" }, q.consumers === 0 ? el("strong", {}, "0") : dash(q.consumers)),
      el("td", { class: "wrap" }, dash(q.error)),
    ),
  );
  return table(["Queue", ["Messages", "num"], ["Consumers", "num"], "Error"], rows, "No queue.");
}

/** Messages ready in the services' queues (the dead letters have their own card). */
function waiting(queues) {
  return queues
    .filter((q) => q.name !== DEAD_LETTER_QUEUE)
    .reduce((n, q) => n + (q.messages || 0), 0);
}

function card(label, value, kind) {
  return el(
    "div",
    { class: `card card-${kind}` },
    el("div", { class: "card-label" }, label),
    el("div", { class: "card-value" }, value),
  );
}
