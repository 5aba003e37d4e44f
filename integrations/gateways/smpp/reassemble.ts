import type { ConcatInfo } from './deliver.js';

export interface InboundPart {
  from: string;
  to: string;
  text: string;
  concat?: ConcatInfo;
}

export interface Reassembled {
  from: string;
  to: string;
  text: string;
  /** Pass to `forget` once the message is handed off; until then a redelivered part completes it again. */
  key: string;
}

export interface Reassembler {
  /** The whole message when `part` completes it (a single-part message completes at once). */
  add(part: InboundPart): Reassembled | undefined;
  forget(key: string): void;
  pending(): number;
}

/**
 * Joins UDH/SAR-concatenated inbound parts, which may arrive in any order, keyed by sender, recipient,
 * reference and total. Held in memory and bounded: the oldest incomplete message is dropped first,
 * since a part lost at the SMSC would otherwise keep its siblings forever.
 */
export function createReassembler(maxPending = 1000): Reassembler {
  const partial = new Map<string, { from: string; to: string; parts: Map<number, string>; total: number }>();
  return {
    add(part) {
      const { concat } = part;
      if (!concat) return { from: part.from, to: part.to, text: part.text, key: '' };
      // A part numbered outside 1..total can never complete anything.
      if (concat.sequence < 1 || concat.sequence > concat.total) return undefined;
      const key = [part.from, part.to, concat.reference, concat.total].join('\n');
      let entry = partial.get(key);
      if (!entry) {
        if (partial.size >= maxPending) partial.delete(partial.keys().next().value!);
        entry = { from: part.from, to: part.to, parts: new Map(), total: concat.total };
        partial.set(key, entry);
      }
      entry.parts.set(concat.sequence, part.text);
      if (entry.parts.size < entry.total) return undefined;
      const ordered = [...entry.parts].sort(([a], [b]) => a - b).map(([, text]) => text);
      return { from: entry.from, to: entry.to, text: ordered.join(''), key };
    },
    forget(key) {
      partial.delete(key);
    },
    pending: () => partial.size,
  };
}
