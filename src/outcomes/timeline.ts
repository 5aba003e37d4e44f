import type { OutcomeSeries } from './outcome-types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Delivery-time bins for the histogram: upper bounds in ms and their labels. */
const TTD_BINS: ReadonlyArray<[number, string]> = [
  [1000, '< 1 s'], [5000, '1–5 s'], [30_000, '5–30 s'], [120_000, '30 s–2 min'], [600_000, '2–10 min'], [HOUR, '10–60 min'], [Number.POSITIVE_INFINITY, '> 1 h'],
];

/** Event times (ms since epoch) of one campaign, collected while its report is built. */
export interface EventTimes {
  submitted: number[];
  delivered: number[];
  clicks: number[];
  conversions: number[];
  /** Submission → delivery receipt, ms. */
  deliveryMs: number[];
}

const minuteStarts = new Map<string, number>();

/**
 * Date.parse for the stored form "2026-11-27T09:00:05.123Z", about three times faster: the minute is
 * parsed once and cached (a campaign's rows share few minutes), seconds and milliseconds read as digits.
 * Any other form goes to Date.parse.
 */
export function isoMs(text: string): number {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 || text.charCodeAt(19) !== 46) return Date.parse(text);
  const minute = text.slice(0, 16);
  let start = minuteStarts.get(minute);
  if (start === undefined) {
    if (minuteStarts.size > 50_000) minuteStarts.clear();
    start = Date.parse(`${minute}:00.000Z`);
    minuteStarts.set(minute, start);
  }
  const digit = (i: number): number => text.charCodeAt(i) - 48;
  return start + (digit(17) * 10 + digit(18)) * 1000 + digit(20) * 100 + digit(21) * 10 + digit(22);
}

export function emptyEventTimes(): EventTimes {
  return { submitted: [], delivered: [], clicks: [], conversions: [], deliveryMs: [] };
}

/**
 * Buckets events over time: by minute when everything happened within 4 hours, by hour within
 * 14 days, else by day; at most a few hundred buckets whatever the campaign's size.
 */
export function buildSeries(events: EventTimes): OutcomeSeries {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const list of [events.submitted, events.delivered, events.clicks, events.conversions]) {
    for (const ms of list) {
      if (ms < first) first = ms;
      if (ms > last) last = ms;
    }
  }
  const timeToDelivery = { labels: TTD_BINS.map(([, label]) => label), counts: TTD_BINS.map(() => 0) };
  for (const ms of events.deliveryMs) {
    const index = TTD_BINS.findIndex(([bound]) => ms < bound);
    timeToDelivery.counts[index] = (timeToDelivery.counts[index] ?? 0) + 1;
  }
  if (!Number.isFinite(first)) return { bucket: 'minute', times: [], submitted: [], delivered: [], clicks: [], conversions: [], timeToDelivery };
  const span = last - first;
  const [bucket, size] = span <= 4 * HOUR ? (['minute', MINUTE] as const) : span <= 14 * DAY ? (['hour', HOUR] as const) : (['day', DAY] as const);
  const start = Math.floor(first / size) * size;
  const count = Math.floor((last - start) / size) + 1;
  const histogram = (list: readonly number[]): number[] => {
    const counts = new Array<number>(count).fill(0);
    for (const ms of list) {
      const index = Math.floor((ms - start) / size);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    return counts;
  };
  return {
    bucket, times: Array.from({ length: count }, (_, i) => new Date(start + i * size).toISOString()),
    submitted: histogram(events.submitted), delivered: histogram(events.delivered), clicks: histogram(events.clicks), conversions: histogram(events.conversions),
    timeToDelivery,
  };
}
