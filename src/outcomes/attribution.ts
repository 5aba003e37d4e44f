import type { OutboxMessage } from '../delivery/outbox.js';
import type { Attribution } from './conversion.js';

/**
 * Attribution rules, in one place:
 * - A touch counts when it happened within the window before the conversion (touch ≤ conversion ≤
 *   touch + window); a touch after the conversion never counts.
 * - A click beats a message that merely reached the contact, and a message beats being held out:
 *   a campaign clicked within the window wins over a later campaign that was only delivered.
 * - Among touches of the same kind, the latest wins; on an exact tie, the smaller campaign id (stable).
 * - A conversion goes to at most one campaign.
 */
export interface Touch {
  campaignId: string;
  via: Attribution['via'];
  at: string;
  messageId?: string;
  variant?: string;
}

const RANK: Record<Touch['via'], number> = { click: 3, message: 2, holdout: 1 };

/** The touch a conversion at `at` is credited to, or undefined when no touch is in the window. */
export function attribute(at: string, touches: readonly Touch[], windowMs: number): Attribution | undefined {
  const end = Date.parse(at);
  const start = end - windowMs;
  let best: { touch: Touch; ms: number } | undefined;
  for (const touch of touches) {
    const ms = Date.parse(touch.at);
    if (!Number.isFinite(ms) || ms > end || ms < start) continue;
    if (!best || beats(touch, ms, best.touch, best.ms)) best = { touch, ms };
  }
  if (!best) return undefined;
  const { campaignId, via, messageId, variant } = best.touch;
  return { campaignId, via, touchedAt: new Date(best.ms).toISOString(), ...(messageId !== undefined ? { messageId } : {}), ...(variant !== undefined ? { variant } : {}) };
}

function beats(a: Touch, aMs: number, b: Touch, bMs: number): boolean {
  if (RANK[a.via] !== RANK[b.via]) return RANK[a.via] > RANK[b.via];
  if (aMs !== bMs) return aMs > bMs;
  return a.campaignId < b.campaignId;
}

/**
 * Did this message reach the contact, for attribution? Delivered, or submitted and still waiting
 * for its receipt (many routes send none, and a receipt may trail the purchase). Undelivered,
 * failed, expired, rejected, canceled and unknown messages did not. Test sends never count, and
 * neither do transactional messages (an order notice did not sell the order).
 */
export function reachedContact(row: OutboxMessage): boolean {
  if (row.test || row.kind !== 'marketing' || row.submittedAt === undefined) return false;
  return row.status === 'delivered' || row.status === 'submitted';
}

/** A message that reached the contact, as a touch at its send time. */
export function messageTouch(row: OutboxMessage): Touch {
  return { campaignId: row.campaignId, via: 'message', at: row.submittedAt ?? row.sendAfter, messageId: row.id, variant: row.variant };
}
