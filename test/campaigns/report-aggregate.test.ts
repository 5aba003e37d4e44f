import { describe, expect, it } from 'vitest';
import { addDuration, durationBucket, EXACT_DURATIONS, summarizeHistogram } from '../../src/campaigns/report-aggregate.js';
import type { DurationHistogram } from '../../src/campaigns/report-aggregate.js';
import { summarizeDurations } from '../../src/campaigns/report-stats.js';

const empty = (): DurationHistogram => ({ coarse: false, counts: {}, samples: 0 });

describe('time-to-delivery histogram', () => {
  it('is exact (same figures as sorting every duration) while values are few', () => {
    const durations = [1000, 3000, 3000, 9400, 250, 7, 120_000];
    const histogram = empty();
    for (const ms of durations) addDuration(histogram, ms, 1);
    expect(histogram.coarse).toBe(false);
    expect(summarizeHistogram(histogram)).toEqual(summarizeDurations(durations));
    addDuration(histogram, 120_000, -1);
    expect(summarizeHistogram(histogram)).toEqual(summarizeDurations(durations.slice(0, -1)));
    expect(summarizeHistogram(empty())).toEqual({ medianMs: null, p95Ms: null, samples: 0 });
  });

  it('past that, buckets values 2% wide: median and p95 within 1% of the exact ones', () => {
    const durations = Array.from({ length: 50_000 }, (_, i) => 800 + ((i * 7919) % 60_000) + (i % 13) * 17);
    const histogram = empty();
    for (const ms of durations) addDuration(histogram, ms, 1);
    expect(histogram.coarse).toBe(true);
    expect(Object.keys(histogram.counts).length).toBeLessThan(EXACT_DURATIONS);
    const exact = summarizeDurations(durations);
    const approx = summarizeHistogram(histogram);
    expect(approx.samples).toBe(50_000);
    expect(Math.abs((approx.medianMs as number) / (exact.medianMs as number) - 1)).toBeLessThan(0.01);
    expect(Math.abs((approx.p95Ms as number) / (exact.p95Ms as number) - 1)).toBeLessThan(0.01);
    for (const ms of [60, 999, 45_000, 3_600_000]) expect(Math.abs(durationBucket(ms) / ms - 1)).toBeLessThan(0.011);
    expect(durationBucket(42)).toBe(42);
  });
});
