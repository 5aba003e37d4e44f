export { createSmsRuGateway } from './smsru-gateway.js';
export type { SmsRuDeps, SmsRuGateway } from './smsru-gateway.js';
export { SMSRU_GATEWAY_ID, smsruConfigSchema } from './config.js';
export type { SmsRuConfig, SmsRuConfigInput } from './config.js';
export { DEFAULT_THROTTLE_MS, mapHttpStatus, mapSmsRuError, mapSmsRuReceipt, parseRetryAfter } from './map-error.js';
export type { ReceiptStatus } from './map-error.js';
export { CALLBACK_SECRET_PARAM, callbackEntries, callbackHash, callbackUrl, parseSmsRuCallback, SMSRU_CALLBACK_OK, verifySmsRuCallback } from './webhooks.js';
export type { CallbackCheck } from './webhooks.js';
export type { FetchLike } from './smsru-request.js';
