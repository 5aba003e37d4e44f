export { createSmppGateway, SMPP_GATEWAY_ID } from './smpp-gateway.js';
export type { SmppDeps, SmppGateway } from './smpp-gateway.js';
export { parseSmppUrl, smppConfigSchema } from './config.js';
export type { SmppConfig, SmppConfigInput, SmppEndpoint } from './config.js';
export { mapCommandStatus, statusFromMessageState, statusFromStatWord, statusLabel } from './map-error.js';
export { buildSubmits, concatHeader, encodeText } from './encode.js';
export { parseDeliverSm, parseReceiptText } from './deliver.js';
export type { LinkState } from './session.js';
