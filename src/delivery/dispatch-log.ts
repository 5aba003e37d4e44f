import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { maskPhonesInText } from '../common/mask.js';
import type { CircuitChange } from './circuit-breaker.js';
import type { SendResult } from './gateway.js';

export interface DispatchLogOptions {
  /** At most one progress line per campaign per this long. */
  progressEveryMs?: number;
  /** Repeats of one gateway error are summed into one line per this long. */
  errorEveryMs?: number;
}

interface Progress {
  sent: number;
  failed: number;
  /** Totals at the last line, and when it was written. */
  lastSent: number;
  lastFailed: number;
  lastAt: number;
}

interface ErrorTally {
  gateway: string;
  code: string;
  providerCode?: string;
  message: string;
  /** Occurrences since the last line. */
  count: number;
  lastAt: number;
}

/**
 * What the sending engine says while it works, through the injected logger: progress per campaign
 * (sent, rate, failures; at most one line per 10 s each), circuit-breaker changes, and gateway errors
 * summed per code (the first at once, repeats as one line with a count per minute). Lines carry ids and
 * counts, never a phone number; vendor error texts are masked.
 */
export class DispatchLog {
  private readonly progress = new Map<string, Progress>();
  private readonly errors = new Map<string, ErrorTally>();
  private readonly progressEveryMs: number;
  private readonly errorEveryMs: number;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    options: DispatchLogOptions = {},
  ) {
    this.progressEveryMs = options.progressEveryMs ?? 10_000;
    this.errorEveryMs = options.errorEveryMs ?? 60_000;
  }

  /** One answer from a gateway for a message of `campaignId`. */
  sent(campaignId: string, gateway: string, result: SendResult): void {
    const now = this.clock.now().getTime();
    let entry = this.progress.get(campaignId);
    if (!entry) this.progress.set(campaignId, (entry = { sent: 0, failed: 0, lastSent: 0, lastFailed: 0, lastAt: now }));
    if (result.ok) entry.sent += 1;
    else {
      entry.failed += 1;
      this.error(gateway, result.error, now);
    }
  }

  circuit(change: CircuitChange): void {
    if (change.open) {
      this.logger.warn(
        { gateway: change.gateway, failures: change.failures, until: new Date(change.until).toISOString() },
        'circuit open: the gateway keeps failing; new messages go through the failover gateway until the cooldown ends',
      );
    } else this.logger.info({ gateway: change.gateway }, 'circuit closed: trying the gateway again');
  }

  /** Writes the lines that are due; call after each batch (cheap when nothing is due). */
  flush(): void {
    const now = this.clock.now().getTime();
    for (const [campaignId, entry] of this.progress) {
      const elapsed = now - entry.lastAt;
      if (elapsed < this.progressEveryMs) continue;
      const sent = entry.sent - entry.lastSent;
      const failed = entry.failed - entry.lastFailed;
      if (sent + failed > 0) {
        this.logger.info(
          { campaignId, sent: entry.sent, failures: entry.failed, lastInterval: { sent, failures: failed, seconds: Math.round(elapsed / 1000) }, rate: Math.round((sent / (elapsed / 1000)) * 10) / 10 },
          'campaign progress',
        );
      }
      Object.assign(entry, { lastSent: entry.sent, lastFailed: entry.failed, lastAt: now });
    }
    for (const [key, tally] of this.errors) {
      if (now - tally.lastAt < this.errorEveryMs) continue;
      if (tally.count > 0) this.writeError(tally, now);
      else this.errors.delete(key);
    }
  }

  /** A campaign is done (or stopped): its counters go. */
  forget(campaignId: string): void {
    this.progress.delete(campaignId);
  }

  private error(gateway: string, error: Extract<SendResult, { ok: false }>['error'], now: number): void {
    const key = `${gateway}\n${error.code}\n${error.providerCode ?? ''}`;
    const tally = this.errors.get(key);
    if (tally) {
      tally.count += 1;
      tally.message = error.message;
      return;
    }
    const fresh: ErrorTally = { gateway, code: error.code, message: error.message, count: 1, lastAt: now, ...(error.providerCode ? { providerCode: error.providerCode } : {}) };
    this.errors.set(key, fresh);
    this.writeError(fresh, now);
  }

  private writeError(tally: ErrorTally, now: number): void {
    const window = Math.round((now - tally.lastAt) / 1000);
    this.logger.warn(
      { gateway: tally.gateway, code: tally.code, ...(tally.providerCode ? { providerCode: tally.providerCode } : {}), count: tally.count, ...(window > 0 ? { seconds: window } : {}), error: maskPhonesInText(tally.message) },
      tally.count === 1 && window === 0 ? 'gateway error' : 'gateway error repeated',
    );
    tally.count = 0;
    tally.lastAt = now;
  }
}
