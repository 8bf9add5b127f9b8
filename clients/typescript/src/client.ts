/** The typed client: openapi-fetch over the paths of the generated `schema.ts`. */
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths };
export type ApexClient = Client<paths>;
export type TaskView = components["schemas"]["TaskView"];
export type TaskState = components["schemas"]["TaskState"];
export type FieldError = components["schemas"]["FieldError"];

export interface ApexClientOptions {
  /** The gateway, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** A bearer token (JWT); or give `apiKey`. */
  token?: string;
  /** An API key, sent as `x-apex-key`. */
  apiKey?: string;
  /** Another `fetch` (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** A client of the gateway whose every request carries the caller's credentials. */
export function createApexClient(options: ApexClientOptions): ApexClient {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["Authorization"] = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) headers["x-apex-key"] = options.apiKey;
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}

/** A gateway answer that was not a success: its status and the envelope's errors. */
export class ApexError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly FieldError[],
    readonly traceId: string | null = null,
  ) {
    const detail = errors.map((e) => e.message).join("; ") || "no detail";
    super(`APEX gateway answered ${status}: ${detail}`);
    this.name = "ApexError";
  }

  /** From a failed call's `response.status` and `error`: the envelope, or the plain text the
   * HTTP parser answers a request line or header over 8 KiB with (a `400`). */
  static of(status: number, error: unknown): ApexError {
    if (typeof error === "object" && error !== null && "errors" in error) {
      const envelope = error as { errors?: FieldError[]; trace?: { trace_id?: string | null } };
      return new ApexError(status, envelope.errors ?? [], envelope.trace?.trace_id ?? null);
    }
    const text = typeof error === "string" ? error : "";
    return new ApexError(status, text ? [{ field: "", message: text, type: "http" }] : []);
  }
}
