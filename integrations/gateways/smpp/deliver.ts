import { z } from 'zod';
import type { DeliveryStatus } from '../../../src/delivery/gateway.js';
import { statusFromMessageState, statusFromStatWord } from './map-error.js';

/** esm_class bits 2-5 give the deliver_sm's message type (SMPP 3.4 §5.2.12); 0 is a normal (MO) message. */
const MESSAGE_TYPE_MASK = 0x3c;
/** Types that report on a message we sent: SMSC delivery receipt, intermediate delivery notification. */
const RECEIPT_TYPES: ReadonlySet<number> = new Set([0x04, 0x20]);

export interface ConcatInfo {
  reference: number;
  total: number;
  sequence: number;
}

export type DeliveredSm =
  | { kind: 'receipt'; receiptedId: string; status: DeliveryStatus; providerCode: string }
  | { kind: 'inbound'; from: string; to: string; text: string; concat?: ConcatInfo }
  | { kind: 'unusable'; reason: string };

const buffer = z.custom<Buffer>((value) => Buffer.isBuffer(value), 'expected a Buffer');
/** node-smpp decodes short_message / message_payload by data_coding into `{ message, udh? }`. */
const body = z.object({ message: z.union([z.string(), buffer]), udh: z.array(buffer).optional() });

/** The deliver_sm fields we read, as node-smpp 0.5.1 hands them over (TLVs by name). */
const deliverSmSchema = z.object({
  source_addr_ton: z.number().int().default(0),
  source_addr: z.string().default(''),
  dest_addr_ton: z.number().int().default(0),
  destination_addr: z.string().default(''),
  esm_class: z.number().int().default(0),
  short_message: body.optional(),
  message_payload: body.optional(),
  receipted_message_id: z.string().optional(),
  message_state: z.number().int().optional(),
  network_error_code: buffer.optional(),
  sar_msg_ref_num: z.number().int().optional(),
  sar_total_segments: z.number().int().optional(),
  sar_segment_seqnum: z.number().int().optional(),
});
type DeliverSm = z.output<typeof deliverSmSchema>;

/** SMPP 3.4 Appendix B receipt text ("vendor specific, typical example"), regex from CONTRACTS.md §4. */
const RECEIPT_TEXT = /id:(\S+)\s+sub:(\d+)\s+dlvrd:(\d+)\s+submit date:(\d{10,12})\s+done date:(\d{10,12})\s+stat:(\w+)\s+err:(\w+)(?:\s+text:(.*))?/i;

export interface ReceiptText {
  id: string;
  stat: string;
  err?: string;
}

/** The receipt text's id, stat and err; lenient about missing fields an SMSC leaves out. */
export function parseReceiptText(text: string): ReceiptText | undefined {
  const full = RECEIPT_TEXT.exec(text);
  if (full) return { id: full[1]!, stat: full[6]!, err: full[7]! };
  const id = /\bid:(\S+)/i.exec(text)?.[1];
  const stat = /\bstat:(\w+)/i.exec(text)?.[1];
  if (!id || !stat) return undefined;
  const err = /\berr:(\w+)/i.exec(text)?.[1];
  return err === undefined ? { id, stat } : { id, stat, err };
}

/** An international number (TON 1) comes without '+'; contacts are stored in E.164, so it is added. */
function addressOf(address: string, ton: number): string {
  return ton === 1 && /^\d+$/.test(address) ? `+${address}` : address;
}

function textOf(pdu: DeliverSm): string | Buffer {
  const short = pdu.short_message?.message;
  if (short !== undefined && short.length > 0) return short;
  return pdu.message_payload?.message ?? '';
}

/** Concatenation from the UDH (IEI 0x00 8-bit or 0x08 16-bit reference) or from the sar_* TLVs. */
function concatOf(pdu: DeliverSm): ConcatInfo | undefined {
  for (const ie of [...(pdu.short_message?.udh ?? []), ...(pdu.message_payload?.udh ?? [])]) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { reference: ie[2]!, total: ie[3]!, sequence: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { reference: ie.readUInt16BE(2), total: ie[4]!, sequence: ie[5]! };
  }
  if (pdu.sar_msg_ref_num !== undefined && pdu.sar_total_segments !== undefined && pdu.sar_segment_seqnum !== undefined) {
    return { reference: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, sequence: pdu.sar_segment_seqnum };
  }
  return undefined;
}

function receiptOf(pdu: DeliverSm): DeliveredSm {
  const text = textOf(pdu);
  const parsed = typeof text === 'string' ? parseReceiptText(text) : undefined;
  // The TLVs are exact; the text is a vendor-specific convention, used only where a TLV is missing.
  const receiptedId = pdu.receipted_message_id || parsed?.id;
  const fromState = pdu.message_state === undefined ? undefined : statusFromMessageState(pdu.message_state);
  const mapped = fromState ?? (parsed ? statusFromStatWord(parsed.stat) : undefined);
  if (!receiptedId) return { kind: 'unusable', reason: 'A receipt without a message id' };
  if (!mapped) return { kind: 'unusable', reason: `A receipt for ${receiptedId} without a known state` };
  const network = pdu.network_error_code?.length === 3 ? pdu.network_error_code.readUInt16BE(1) : undefined;
  const err = parsed?.err !== undefined && !/^0+$/.test(parsed.err) ? parsed.err : network ? String(network) : undefined;
  return { kind: 'receipt', receiptedId, status: mapped.status, providerCode: err === undefined ? mapped.providerCode : `${mapped.providerCode} err:${err}` };
}

/** A deliver_sm as a receipt or (a part of) an inbound message; unusable ones are still acknowledged. */
export function parseDeliverSm(raw: unknown): DeliveredSm {
  const checked = deliverSmSchema.safeParse(raw);
  if (!checked.success) return { kind: 'unusable', reason: `Unexpected deliver_sm fields: ${checked.error.issues[0]?.path.join('.')}` };
  const pdu = checked.data;
  const type = pdu.esm_class & MESSAGE_TYPE_MASK;
  if (RECEIPT_TYPES.has(type)) return receiptOf(pdu);
  // SME delivery or manual acknowledgements: nothing a sender of SMS campaigns acts on.
  if (type !== 0) return { kind: 'unusable', reason: `A deliver_sm of message type 0x${type.toString(16)}` };
  const text = textOf(pdu);
  // data_coding node-smpp cannot decode (binary, 8-bit data) is not a text reply.
  if (typeof text !== 'string') return { kind: 'unusable', reason: 'An inbound message in a data_coding that is not text' };
  const concat = concatOf(pdu);
  const message = { kind: 'inbound' as const, from: addressOf(pdu.source_addr, pdu.source_addr_ton), to: addressOf(pdu.destination_addr, pdu.dest_addr_ton), text };
  return concat && concat.total > 1 ? { ...message, concat } : message;
}
