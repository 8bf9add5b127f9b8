// Audit: recompute the account's hash chain and check its signed checkpoints
// (`GET /audit/verify`, role admin), and say where it breaks if it does.

import { call } from "./api.js";
import { badge, dash, el, fields, fill, notice, when } from "./dom.js";

export function mount(container) {
  const verify = el("button", { type: "button", id: "verify-audit" }, "Verify the audit log");
  const content = el("div", { class: "audit-result" });
  fill(
    container,
    el(
      "section",
      { class: "page" },
      el("h1", {}, "Audit log"),
      el(
        "p",
        {},
        "Recomputes every entry's hash from the first and checks each signed checkpoint, " +
          "for the account of this credential. A change to any entry, a removed one or a " +
          "reordered one breaks the chain at that sequence.",
      ),
      el("div", { class: "actions" }, verify),
      content,
    ),
  );

  verify.addEventListener("click", async () => {
    verify.disabled = true;
    fill(content, el("p", { class: "muted" }, "Verifying…"));
    try {
      draw(await call("GET", "/audit/verify"));
    } catch (error) {
      fill(content, notice("error", error.message));
    }
    verify.disabled = false;
  });

  function draw(v) {
    const broken = v.broken_at;
    fill(
      content,
      el(
        "div",
        { class: `verdict ${v.verified ? "verdict-ok" : "verdict-bad"}`, id: "audit-verdict" },
        v.verified ? badge("verified", "success") : badge("broken", "failure"),
        el(
          "span",
          {},
          v.verified
            ? ` ${v.entries} entries, chain and checkpoints intact`
            : ` the chain breaks at sequence ${broken ? broken.sequence : "?"}`,
        ),
      ),
      fields([
        ["Account", dash(v.account)],
        ["Entries", String(v.entries)],
        ["Head sequence", String(v.head_sequence)],
        ["Head hash", v.head_hash ? el("span", { class: "mono wrap" }, v.head_hash) : dash(null)],
        ["Checkpoints checked", dash(v.checkpoints)],
        [
          "Broken at",
          broken
            ? `sequence ${broken.sequence}: ${broken.reason}${broken.detail ? ` (${broken.detail})` : ""}`
            : dash(null),
        ],
        ["Checked", when(new Date().toISOString())],
      ]),
    );
  }
  return {};
}
