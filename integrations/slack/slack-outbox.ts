import type { Logger } from '../../src/common/logger.js';
import type { EventInbox } from '../../src/store/lowdb/event-inbox.js';
import type { SlackJob } from './deliver-job.js';
import { mapSlackError } from './map-error.js';

export interface SlackOutboxDeps {
  /** Durable, append-only: a job is kept until Slack took it (or no retry could succeed). */
  inbox: EventInbox<SlackJob>;
  deliver(job: SlackJob): Promise<void>;
  logger: Logger;
  /** Waits when nothing is queued, and the first wait after a failure (doubled up to maxBackoffMs). */
  pollMs?: number;
  maxBackoffMs?: number;
}

/**
 * Notifications and thread posts on their way to Slack. They are appended durably first, then posted
 * in order on the outbox's own loop (bolt's client retries and waits out rate limits), so a slow or
 * absent Slack neither loses a message nor holds up sending SMS.
 */
export class SlackOutbox {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: SlackOutboxDeps) {}

  async enqueue(jobs: readonly SlackJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.deps.inbox.append(jobs);
    this.wake?.();
  }

  /** Posts what is queued, in order; stops at the first failure worth retrying. */
  async drain(): Promise<{ posted: number; failure?: { reason: string; waitMs?: number } }> {
    let posted = 0;
    for (;;) {
      const entries = await this.deps.inbox.readAfter(this.deps.inbox.cursor(), 50);
      if (entries.length === 0) return { posted };
      for (const entry of entries) {
        try {
          await this.deps.deliver(entry.event);
          posted += 1;
        } catch (error) {
          const failure = mapSlackError(error);
          if (failure.retry) {
            this.deps.logger.warn({ reason: failure.reason, job: entry.event.type }, 'Slack is not taking posts; kept to try again');
            return { posted, failure };
          }
          this.deps.logger.error({ reason: failure.reason, job: entry.event.type }, 'Slack refused a post for good (check the channel ids and the app\'s scopes); skipped');
        }
        await this.deps.inbox.commit(entry.seq);
      }
    }
  }

  pending(): Promise<number> {
    return this.deps.inbox.readAfter(this.deps.inbox.cursor(), 1000).then((entries) => entries.length);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const pollMs = this.deps.pollMs ?? 1000;
    const maxBackoffMs = this.deps.maxBackoffMs ?? 5 * 60_000;
    this.loop = (async () => {
      let backoff = pollMs;
      while (this.running) {
        let wait = pollMs;
        try {
          const { failure } = await this.drain();
          if (failure) {
            wait = Math.max(backoff, failure.waitMs ?? 0);
            backoff = Math.min(backoff * 2, maxBackoffMs);
          } else {
            backoff = pollMs;
            await this.deps.inbox.compact();
          }
        } catch (error) {
          this.deps.logger.error({ error }, 'Slack outbox failed; retrying');
        }
        if (this.running) await this.sleep(wait);
      }
    })();
  }

  /** Stops the loop; a post stuck in the client's retries is left to finish (its job stays queued). */
  async stop(graceMs = 2000): Promise<void> {
    this.running = false;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
