/**
 * Status sync: polling with persisted cursors, vendor callbacks, in-process subscribers and signed
 * outbound webhooks (delivered durably, as transactions to the webhook adapter), and retention of
 * finished transactions' payloads.
 */
export { StatusEvents, type StatusEventMap } from './status-events';
export { recordStatusUpdates } from './record-status-updates';
export { StatusPoller, pollCursorName, type StatusPollerOptions } from './status-poller';
export { DEFAULT_STATUS_REFRESH, type StatusRefreshOptions, type StatusRefreshSettings } from './status-refresh-schedule';
export { createCallbackHandler, type CallbackHandler, type CallbackHandlerOptions, type CallbackOutcome } from './callback-handler';
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature, type VerifyWebhookOptions } from './webhook-signature';
export {
  previewRetention,
  purgeFinished,
  retentionCutoffs,
  stackRetention,
  startRetention,
  type RetentionJob,
  type RetentionOptions,
  type RetentionPeriods,
} from './retention';
export { webhookAdapter, type DurableWebhookBody, type WebhookTargetConfig } from './webhook-adapter';
