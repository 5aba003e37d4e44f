export { createVonageGateway, VONAGE_GATEWAY_ID } from './vonage-gateway.js';
export type { VonageDeps, VonageGateway } from './vonage-gateway.js';
export { parseVonageConfig, SIGNATURE_METHODS, vonageConfigSchema } from './config.js';
export type { SignatureMethod, VonageConfig, VonageConfigInput } from './config.js';
export { createInboundAssembler } from './inbound-assembler.js';
export type { InboundAssembler } from './inbound-assembler.js';
export { mapHttpStatus, mapReceipt, mapSendStatus, throttleWaitMs } from './map-error.js';
export { signatureBase, signatureMatches, signParams } from './signature.js';
export { parseInboundPart, parseReceipt, signedParams, verifyVonageWebhook } from './webhooks.js';
