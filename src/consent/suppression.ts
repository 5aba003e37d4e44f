import { createHash } from 'node:crypto';
import type { ConsentScope } from './consent.js';

/**
 * The suppression list: numbers of erased contacts who had opted out, kept only as a hash, so a
 * person whose data was erased (152-FZ art. 21, GDPR art. 17) is still never messaged again, and a
 * re-import of the number stays opted out. The hash is of the E.164 number, so every spelling of the
 * number that normalises to it matches.
 */
export interface SuppressionRecord {
  /** `phoneHash(e164)`. */
  id: string;
  /** What the erased contact had opted out of. */
  scope: ConsentScope;
  /** When the contact was erased (ISO). */
  at: string;
}

export function phoneHash(e164: string): string {
  return createHash('sha256').update(`smsbridge-suppression:${e164}`).digest('hex');
}

/** Looks numbers up in a loaded list; `undefined` when the number is not suppressed. */
export type SuppressionLookup = (e164: string) => SuppressionRecord | undefined;

export function suppressionLookup(records: readonly SuppressionRecord[]): SuppressionLookup {
  if (records.length === 0) return () => undefined;
  const byHash = new Map(records.map((record) => [record.id, record]));
  return (e164) => byHash.get(phoneHash(e164));
}
