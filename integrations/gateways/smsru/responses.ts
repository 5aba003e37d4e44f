import { z } from 'zod';
import type { GatewayError, SendResult, StatusEvent } from '../../../src/delivery/gateway.js';
import { mapHttpStatus, mapSmsRuError, mapSmsRuReceipt, parseRetryAfter } from './map-error.js';
import type { SmsRuExchange } from './smsru-request.js';

// SMS.ru's JSON answers (json=1). Codes arrive as numbers; ids and money are read leniently because
// clients in other languages see them both as strings and as numbers.
const code = z.coerce.number().int();
const text = z.string().optional();
const id = z.union([z.string(), z.number()]).transform(String);

const entrySchema = z.object({ status: z.string(), status_code: code, status_text: text, sms_id: id.optional() });

/**
 * https://sms.ru/api/send and https://sms.ru/api/status: a request-level status, then one entry per
 * number (send, keyed by the number) or per message (status, keyed by sms_id).
 */
const answerSchema = z.object({ status: z.string(), status_code: code, status_text: text, sms: z.record(z.string(), entrySchema).optional() });

/** https://sms.ru/?panel=api&subpanel=method&show=auth/check: just the request-level status. */
const authAnswerSchema = z.object({ status: z.string(), status_code: code, status_text: text });

function readJson<T>(schema: z.ZodType<T>, body: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const failure = (error: GatewayError): SendResult => ({ ok: false, error });

/** The request may have been acted on, but we cannot tell: recorded as unknown, never retried blindly. */
const unknownOutcome = (message: string, timedOut = false): SendResult =>
  failure({ code: timedOut ? 'timeout' : 'unknown', retryable: false, outcomeUnknown: true, message });

/** The outcome of one sms/send for one number (`to`: the digits we sent). */
export function interpretSend(exchange: SmsRuExchange, to: string, now: Date): SendResult {
  if (exchange.kind === 'not_sent') return failure({ code: 'unavailable', retryable: true, message: `Could not reach SMS.ru (${exchange.reason})` });
  if (exchange.kind === 'no_answer') return unknownOutcome(`SMS.ru sent no answer (${exchange.reason}); the message may have gone out`, exchange.timedOut);
  if (exchange.httpStatus < 200 || exchange.httpStatus > 299) return failure(mapHttpStatus(exchange.httpStatus, parseRetryAfter(exchange.retryAfter, now)));
  const answer = readJson(answerSchema, exchange.body);
  if (!answer) return unknownOutcome('SMS.ru answered with an unreadable body; the message may have gone out');
  // Request-level failures (api_id, balance, sender…) come without a usable per-number entry.
  if (answer.status !== 'OK') return failure(mapSmsRuError(answer.status_code, answer.status_text));
  const entries = Object.values(answer.sms ?? {});
  // Keyed by the number as SMS.ru normalised it; with one number per request a lone entry is ours.
  const entry = answer.sms?.[to] ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) return unknownOutcome('SMS.ru accepted the request but reported nothing for the number');
  if (entry.status !== 'OK') return failure(mapSmsRuError(entry.status_code, entry.status_text));
  if (!entry.sms_id) return unknownOutcome('SMS.ru accepted the number but gave no sms_id');
  return { ok: true, providerMessageId: entry.sms_id };
}

/** What sms/status says of one message: a status event, undefined when SMS.ru does not know the id. Throws when the call failed. */
export function interpretStatus(exchange: SmsRuExchange, smsId: string, context: { gateway: string; now: Date }): StatusEvent | undefined {
  if (exchange.kind !== 'answer') throw new Error(`SMS.ru status lookup failed: ${exchange.reason}`);
  if (exchange.httpStatus < 200 || exchange.httpStatus > 299) throw new Error(`SMS.ru status lookup failed: ${mapHttpStatus(exchange.httpStatus, undefined).message}`);
  const answer = readJson(answerSchema, exchange.body);
  if (!answer) throw new Error('SMS.ru status lookup answered with an unreadable body');
  if (answer.status !== 'OK') throw new Error(`SMS.ru status lookup failed: ${mapSmsRuError(answer.status_code, answer.status_text).message}`);
  const entry = answer.sms?.[smsId];
  const receipt = entry && mapSmsRuReceipt(entry.status_code);
  if (!entry || !receipt) return undefined;
  return {
    type: 'status',
    gateway: context.gateway,
    providerMessageId: smsId,
    status: receipt.status,
    ...(receipt.errorCode === undefined ? {} : { errorCode: receipt.errorCode }),
    providerCode: String(entry.status_code),
    at: context.now.toISOString(),
    key: `${smsId}:${entry.status_code}`,
  };
}

/** auth/check: ok when SMS.ru accepts the api_id. The detail never repeats the key. */
export function interpretAuthCheck(exchange: SmsRuExchange): { ok: true; detail: string } | { ok: false; detail: string } {
  if (exchange.kind !== 'answer') return { ok: false, detail: `Could not reach SMS.ru: ${exchange.reason}` };
  if (exchange.httpStatus < 200 || exchange.httpStatus > 299) return { ok: false, detail: mapHttpStatus(exchange.httpStatus, undefined).message };
  const answer = readJson(authAnswerSchema, exchange.body);
  if (!answer) return { ok: false, detail: 'SMS.ru answered auth/check with an unreadable body' };
  if (answer.status === 'OK' && answer.status_code === 100) return { ok: true, detail: 'SMS.ru accepts the api_id' };
  return { ok: false, detail: mapSmsRuError(answer.status_code, answer.status_text).message };
}
