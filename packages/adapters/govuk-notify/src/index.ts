/**
 * @module @lgx/adapter-govuk-notify
 *
 * The LGX adapter for GOV.UK Notify: canonical notifications sent as e-mails, text messages and
 * letters from Notify templates (JWT-signed requests), delivery status by polling, and delivery
 * receipts from Notify's callbacks checked against the service's bearer token.
 */
export { VERSION } from './version';
export { adapter, adapter as default } from './adapter';
export { configSchema, DEFAULT_BASE_URL, type GovukNotifyConfig } from './config';
