import type { AppContext } from '../app.js';
import type { MessageStatus } from '../delivery/outbox.js';
import { progressBar } from './output.js';

type Counts = Partial<Record<MessageStatus, number>>;

const SENT: readonly MessageStatus[] = ['submitted', 'delivered', 'undelivered', 'expired'];
const FAILED: readonly MessageStatus[] = ['failed', 'rejected', 'expired', 'undelivered'];
const WAITING: readonly MessageStatus[] = ['queued', 'sending'];

const sum = (counts: Counts, statuses: readonly MessageStatus[]): number => statuses.reduce((total, status) => total + (counts[status] ?? 0), 0);

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * What a campaign's progress line says: sent, delivered, failed, the rate since the send began and
 * the time left at that rate. `done` is how many messages are past sending (the bar's position).
 */
export function campaignProgress(counts: Counts, total: number, sentAtStart: number, elapsedMs: number): { done: number; note: string } {
  const sent = sum(counts, SENT);
  const waiting = sum(counts, WAITING);
  const rate = elapsedMs > 0 ? ((sent - sentAtStart) * 1000) / elapsedMs : 0;
  const left = waiting === 0 ? 'sending done' : rate > 0 ? `~${duration(waiting / rate)} left` : 'starting';
  return {
    done: Math.max(0, total - waiting),
    note: `sent ${sent}, delivered ${counts.delivered ?? 0}, failed ${sum(counts, FAILED)}, ${rate.toFixed(1)}/s, ${left}`,
  };
}

/** Draws a campaign's progress on stderr (a terminal only) while `work` runs: `campaign send --wait`. */
export async function withCampaignProgress<T>(app: AppContext, campaignId: string, total: number, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY || total === 0) return work();
  const bar = progressBar('sending');
  const started = performance.now();
  const sentAtStart = sum(await app.store.outbox.countByStatus(campaignId), SENT);
  const draw = async (): Promise<void> => {
    const { done, note } = campaignProgress(await app.store.outbox.countByStatus(campaignId), total, sentAtStart, performance.now() - started);
    bar.update(done, total, note);
  };
  const timer = setInterval(() => void draw().catch(() => undefined), 250);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await draw().catch(() => undefined);
    bar.end();
  }
}
