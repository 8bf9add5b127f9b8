/** The APEX gateway's TypeScript client: generated types (`schema.ts`), hand-written helpers. */
export {
  ApexError,
  createApexClient,
  type ApexClient,
  type ApexClientOptions,
  type components,
  type FieldError,
  type paths,
  type TaskState,
  type TaskView,
} from "./client.js";
export { FINAL_STATES, TaskTimeoutError, waitForTask, type WaitOptions } from "./tasks.js";
export {
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
  webhookSignature,
  type VerifyOptions,
} from "./webhooks.js";
