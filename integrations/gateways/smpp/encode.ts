import type { GatewayError, OutboundSms } from '../../../src/delivery/gateway.js';
import { isAppError } from '../../../src/common/errors.js';
import type { Encoding } from '../../../src/messages/encoding.js';
import { encodeGsm7Septets, splitIntoParts } from '../../../src/messages/encoding.js';

/** data_coding (SMPP 3.4 §5.2.19): 0 = SMSC default alphabet (GSM 03.38), 8 = UCS-2 (UTF-16BE). */
export const DATA_CODING: Readonly<Record<Encoding, number>> = { 'GSM-7': 0x00, 'UCS-2': 0x08 };
/** esm_class bit 6: short_message starts with a User Data Header. */
export const ESM_UDHI = 0x40;
/** registered_delivery 1: a receipt on final success or failure. */
export const RECEIPT_ON_FINAL = 0x01;
const TON = { INTERNATIONAL: 1, NETWORK_SPECIFIC: 3, ALPHANUMERIC: 5 } as const;
/** A numeric sender this short (without '+') is a short code, not an international number. */
const SHORT_CODE_MAX_DIGITS = 8;
const NPI = { UNKNOWN: 0, ISDN: 1 } as const;
/** Addresses are C-strings of at most 21 octets with the NUL; alphanumeric senders show 11 characters. */
const MAX_ADDRESS = 20;
export const MAX_ALPHANUMERIC_SENDER = 11;

/** The submit_sm fields this adapter sets; the rest keep node-smpp's defaults (empty / 0). */
export interface SubmitFields {
  source_addr_ton: number;
  source_addr_npi: number;
  source_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  esm_class: number;
  registered_delivery: number;
  data_coding: number;
  /** Already-encoded octets: node-smpp passes a Buffer through untouched (it would flag GSM as 0x01). */
  short_message: Buffer;
  message_payload?: Buffer;
  validity_period?: Date;
}

export interface EncodeSettings {
  longMessages: 'udh' | 'payload';
  sourceTon: number | 'auto';
  sourceNpi: number | 'auto';
}

export type EncodedMessage = { ok: true; submits: SubmitFields[]; segments: number } | { ok: false; error: GatewayError };

/** GSM: one septet per octet, unpacked (the usual SMPP form; the SMSC packs). UCS-2: UTF-16BE. */
export function encodeText(text: string, encoding: Encoding): Buffer {
  if (encoding === 'GSM-7') return Buffer.from(encodeGsm7Septets(text));
  return Buffer.from(text, 'utf16le').swap16();
}

/** The 6-octet concatenation UDH: length 5, IEI 0x00 (8-bit reference), IE length 3, ref, total, seq. */
export function concatHeader(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}

/**
 * Alphanumeric sender → TON 5 / NPI 0; a short code (3-8 digits, no '+') → TON 3 / NPI 0; any other
 * number → TON 1 / NPI 1 without '+' (Infobip "TON and NPI settings"; Sinch SMPP "Sending messages").
 * SMPP_SOURCE_TON / SMPP_SOURCE_NPI override either value.
 */
export function sourceAddress(from: string, settings: Pick<EncodeSettings, 'sourceTon' | 'sourceNpi'>): { ton: number; npi: number; address: string } {
  const numeric = /^\+?\d+$/.test(from);
  const shortCode = numeric && !from.startsWith('+') && from.length <= SHORT_CODE_MAX_DIGITS;
  const ton = !numeric ? TON.ALPHANUMERIC : shortCode ? TON.NETWORK_SPECIFIC : TON.INTERNATIONAL;
  const npi = numeric && !shortCode ? NPI.ISDN : NPI.UNKNOWN;
  return {
    ton: settings.sourceTon === 'auto' ? ton : settings.sourceTon,
    npi: settings.sourceNpi === 'auto' ? npi : settings.sourceNpi,
    address: numeric ? from.replace(/^\+/, '') : from,
  };
}

const refuse = (code: 'invalid_number' | 'invalid_sender' | 'message_rejected', message: string): EncodedMessage => ({
  ok: false,
  error: { code, retryable: false, message },
});

/**
 * The submit_sm PDUs for one message. Long text is either split into UDH-concatenated parts (never
 * inside a surrogate or GSM escape pair) numbered 1..n under `reference`, or sent whole in
 * message_payload (sm_length 0) for the SMSC to split. Refusals are values, as the port asks.
 */
export function buildSubmits(message: OutboundSms, settings: EncodeSettings, reference: number): EncodedMessage {
  const destination = message.to.replace(/^\+/, '');
  if (!/^\d{1,20}$/.test(destination)) return refuse('invalid_number', 'The recipient must be a number of at most 20 digits');
  const source = sourceAddress(message.from, settings);
  const limit = source.ton === TON.ALPHANUMERIC ? MAX_ALPHANUMERIC_SENDER : MAX_ADDRESS;
  if (source.address.length === 0 || source.address.length > limit || !/^[\x20-\x7e]+$/.test(source.address)) {
    return refuse('invalid_sender', `The sender must be a number or ASCII name of at most ${limit} characters`);
  }
  let parts: string[];
  try {
    parts = splitIntoParts(message.text, message.encoding);
  } catch (error) {
    // Declared GSM-7 but holding a character outside the alphabet: sending it would garble the text.
    if (isAppError(error)) return refuse('message_rejected', error.message);
    throw error;
  }
  if (parts.length === 0) return refuse('message_rejected', 'The message text is empty');
  if (parts.length > 255) return refuse('message_rejected', 'The message needs more than 255 parts, the most a concatenation header can number');

  const base = {
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.address,
    dest_addr_ton: TON.INTERNATIONAL,
    dest_addr_npi: NPI.ISDN,
    destination_addr: destination,
    registered_delivery: RECEIPT_ON_FINAL,
    data_coding: DATA_CODING[message.encoding],
    ...(message.validUntil ? { validity_period: message.validUntil } : {}),
  };
  if (parts.length === 1) return { ok: true, segments: 1, submits: [{ ...base, esm_class: 0, short_message: encodeText(parts[0]!, message.encoding) }] };
  if (settings.longMessages === 'payload') {
    const submit: SubmitFields = { ...base, esm_class: 0, short_message: Buffer.alloc(0), message_payload: encodeText(message.text, message.encoding) };
    return { ok: true, segments: parts.length, submits: [submit] };
  }
  const submits = parts.map((part, index) => ({
    ...base,
    esm_class: ESM_UDHI,
    short_message: Buffer.concat([concatHeader(reference, parts.length, index + 1), encodeText(part, message.encoding)]),
  }));
  return { ok: true, segments: parts.length, submits };
}
