/** Waiting for a task's outcome with the gateway's long poll (`GET /tasks/{task_id}?wait=N`). */
import { ApexError, type ApexClient, type TaskState, type TaskView } from "./client.js";

/** A task in one of these states never changes again. */
export const FINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  "SUCCESS",
  "FAILURE",
  "REVOKED",
]);

/** The gateway's longest wait for one request (`wait` is at most 30 seconds). */
const LONG_POLL_MAX_S = 30;

export interface WaitOptions {
  /** How long to wait in all before giving up with `TaskTimeoutError`; 60 s by default. */
  timeoutSeconds?: number;
  /** Ends the wait early (the request in flight is aborted). */
  signal?: AbortSignal;
}

/** The task was not final when the wait's time ran out; `task` is how it was last seen. */
export class TaskTimeoutError extends Error {
  constructor(readonly task: TaskView) {
    super(`task ${task.task_id} still ${task.state} when the wait ended`);
    this.name = "TaskTimeoutError";
  }
}

/**
 * The task once it is final (`SUCCESS`, `FAILURE` or `REVOKED`): each request asks the gateway
 * to hold it until the task's next change, so a change is seen as it happens, without polling.
 * A `FAILURE` is returned, not thrown: its `error` says why. Answers `429` and `503` are waited
 * out (their `Retry-After`) within the time given; any other error is thrown as `ApexError`.
 */
export async function waitForTask(
  client: ApexClient,
  taskId: string,
  options: WaitOptions = {},
): Promise<TaskView> {
  const deadline = Date.now() + (options.timeoutSeconds ?? 60) * 1000;
  let last: TaskView | undefined;
  for (;;) {
    const remaining = (deadline - Date.now()) / 1000;
    const wait = last === undefined ? 0 : Math.max(0, Math.min(LONG_POLL_MAX_S, remaining));
    const { data, error, response } = await client.GET("/tasks/{task_id}", {
      params: { path: { task_id: taskId }, query: { wait } },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (data?.result) {
      last = data.result;
      if (FINAL_STATES.has(last.state)) return last;
    } else if (response.status === 429 || response.status === 503) {
      // seconds, as the gateway sends them
      const retryAfter = Number(response.headers.get("Retry-After") ?? "1");
      const pause = Math.min(Number.isFinite(retryAfter) ? retryAfter : 1, Math.max(0, remaining));
      await sleep(pause * 1000, options.signal);
    } else {
      throw ApexError.of(response.status, error);
    }
    if (Date.now() >= deadline) {
      throw last ? new TaskTimeoutError(last) : ApexError.of(response.status, error);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    const abort = () => (clearTimeout(timer), reject(signal?.reason));
    signal?.addEventListener("abort", abort, { once: true });
  });
}
