import type { Clock } from '../../../src/common/clock.js';
import type { InboundEvent } from '../../../src/delivery/gateway.js';
import type { InboundPart } from './webhooks.js';

/** Parts normally arrive within seconds; Vonage retries a failed webhook for 24 h, but we answered 2xx. */
export const DEFAULT_ASSEMBLY_TTL_MS = 10 * 60_000;
/** A bound on memory if someone floods us with first parts. */
export const DEFAULT_MAX_PENDING = 10_000;

/**
 * Joins the parts of a concatenated inbound SMS, which Vonage delivers as separate webhooks
 * ("reassemble parts yourself"), into one InboundEvent. In memory: a message whose parts straddle a
 * restart is lost, as is one whose parts do not all arrive within the TTL (they are dropped and counted).
 */
export interface InboundAssembler {
  /** The whole message once its last missing part arrives; undefined while parts are missing. */
  add(part: InboundPart & { concat: NonNullable<InboundPart['concat']> }): InboundEvent | undefined;
  /** Messages still waiting for parts. */
  pending(): number;
  /** Incomplete messages dropped so far (TTL or memory bound). */
  dropped(): number;
}

interface Group {
  firstSeenMs: number;
  total: number;
  parts: Map<number, InboundPart>;
}

export function createInboundAssembler(options: { gateway: string; clock: Clock; ttlMs?: number; maxPending?: number }): InboundAssembler {
  const ttlMs = options.ttlMs ?? DEFAULT_ASSEMBLY_TTL_MS;
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  // Insertion order is arrival order of first parts, so the oldest group is always first.
  const groups = new Map<string, Group>();
  let droppedCount = 0;

  const prune = (nowMs: number): void => {
    for (const [key, group] of groups) {
      if (nowMs - group.firstSeenMs < ttlMs && groups.size <= maxPending) break;
      groups.delete(key);
      droppedCount++;
    }
  };

  return {
    add(part) {
      const nowMs = options.clock.now().getTime();
      prune(nowMs);
      // The sender's number and concat-ref name the message; our number too, as one sender may text two of ours.
      const key = `${part.from}\n${part.to}\n${part.concat.ref}`;
      let group = groups.get(key);
      if (!group) {
        group = { firstSeenMs: nowMs, total: part.concat.total, parts: new Map() };
        groups.set(key, group);
        prune(nowMs);
      }
      // A retried part replaces its earlier copy: the same part twice is still one part.
      group.parts.set(part.concat.part, part);
      const ordered: InboundPart[] = [];
      for (let index = 1; index <= group.total; index++) {
        const next = group.parts.get(index);
        if (!next) return undefined;
        ordered.push(next);
      }
      groups.delete(key);
      const first = ordered[0] ?? part;
      // Part 1's Vonage id names the whole message, so a re-delivered message dedupes on the same key.
      return {
        type: 'inbound',
        gateway: options.gateway,
        providerMessageId: first.providerMessageId,
        from: first.from,
        to: first.to,
        text: ordered.map((p) => p.text).join(''),
        at: first.at,
        key: first.providerMessageId,
      };
    },
    pending: () => groups.size,
    dropped: () => droppedCount,
  };
}
