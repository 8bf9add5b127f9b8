/**
 * Checking a webhook delivery's `X-Apex-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the
 * HMAC of `"<t>.<raw body>"` keyed with the webhook's secret. Verify the raw bytes as received:
 * a body parsed and serialised again may differ by a space and no longer match.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Apex-Signature";
export const EVENT_ID_HEADER = "X-Apex-Event-Id";
/** How far a signature's time may be from now (either way), as the notification service signs. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyOptions {
  /** A timestamp further than this from now is refused (a replayed delivery). */
  toleranceSeconds?: number;
  /** Now, in unix seconds (tests); the clock by default. */
  now?: number;
}

/** The hex signature of one delivery, as the notification service computes it. */
export function webhookSignature(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp: number,
): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/**
 * True when `header` carries a `v1` signature of `rawBody` made with `secret` within
 * `toleranceSeconds` of now; false for a malformed header, a stale or future timestamp, or no
 * matching signature (each `v1` is compared in constant time).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  options: VerifyOptions = {},
): boolean {
  if (!header) return false;
  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const item of header.split(",")) {
    const at = item.indexOf("=");
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === "t") timestamps.push(value);
    else if (key === "v1") signatures.push(value);
  }
  const t = timestamps[0];
  if (t === undefined || !/^\d{1,15}$/.test(t)) return false;
  const now = options.now ?? Date.now() / 1000;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - Number(t)) > tolerance) return false;
  const expected = Buffer.from(webhookSignature(secret, rawBody, Number(t)), "utf8");
  let matched = false;
  for (const candidate of signatures) {
    const given = Buffer.from(candidate, "utf8");
    // the length of a hex SHA-256 is no secret; timingSafeEqual needs equal lengths
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}
