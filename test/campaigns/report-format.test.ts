import { describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../src/campaigns/report.js';
import { formatCampaignReport, formatDuration } from '../../src/campaigns/report-format.js';

const REPORT: CampaignReport = {
  id: 'cmp-7', name: 'Spring sale', status: 'completed', kind: 'marketing',
  audience: 1040, excluded: { quiet_hours: 15, opted_out: 25 },
  submitted: 950, delivered: 900, undelivered: 20, partiallyDelivered: 0, failed: 14, failedByCode: { expired: 4, invalid_number: 8, '21610': 2 },
  unknown: 3, pending: 5, canceled: 2, replies: 37, optOuts: 6, segments: 1200, cost: 4200.5, currency: 'RUB',
  deliveryRate: 900 / 950, replyRate: 37 / 900,
  firstSentAt: '2026-11-27T07:00:00.000Z', lastSentAt: '2026-11-27T09:30:00.000Z',
  timeToDelivery: { medianMs: 4200, p95Ms: 180_000, samples: 900 },
  variants: [
    { name: 'A', audience: 500, submitted: 475, delivered: 450, undelivered: 10, failed: 7, unknown: 2, pending: 3, replies: 9, optOuts: 4, segments: 600, cost: 2100, deliveryRate: 450 / 475, replyRate: 9 / 450 },
    { name: 'B', audience: 500, submitted: 475, delivered: 450, undelivered: 10, failed: 7, unknown: 1, pending: 2, replies: 28, optOuts: 2, segments: 600, cost: 2100.5, deliveryRate: 450 / 475, replyRate: 28 / 450 },
  ],
  abTest: { leader: 'B', metric: 'replyRate', z: 3.3, pValue: 0.001, significant: true, note: 'B leads A on reply rate (6.2% vs 2.0%), significant at p = 0.001.' },
};

describe('formatCampaignReport', () => {
  const lines = formatCampaignReport(REPORT);
  const text = lines.join('\n');

  it('writes the headline figures', () => {
    expect(lines[0]).toBe('Campaign cmp-7 "Spring sale": completed, marketing.');
    expect(text).toContain('Audience: 1040 — planned 1000, excluded 40 (opted_out 25, quiet_hours 15).');
    expect(text).toContain('Submitted: 950 · delivered 900 · undelivered 20 · failed 14 (invalid_number 8, expired 4, 21610 2) · unknown 3 · pending 5 · canceled 2.');
    expect(text).toContain('Replies: 37 · opt-outs: 6.');
    expect(text).toContain('Segments: 1200 · cost 4200.50 RUB.');
    expect(text).toContain('Delivery rate: 94.7% · reply rate: 4.1%.');
    expect(text).toContain('First send: 2026-11-27T07:00:00.000Z · last send: 2026-11-27T09:30:00.000Z.');
    expect(text).toContain('Time to delivery: median 4.2 s, p95 3 min (900 delivered).');
  });

  it('adds an aligned per-variant table and the A/B note', () => {
    const header = lines.findIndex((line) => line.startsWith('variant'));
    expect(header).toBeGreaterThan(0);
    expect(lines[header]).toContain('delivery');
    const rowB = lines[header + 3] ?? '';
    expect(rowB.split(/\s+/)).toEqual(['B', '500', '475', '450', '10', '7', '1', '2', '28', '2', '600', '2100.50', 'RUB', '94.7%', '6.2%']);
    expect(new Set(lines.slice(header, header + 4).map((line) => line.length)).size).toBe(1);
    expect(lines.at(-1)).toBe('A/B: B leads A on reply rate (6.2% vs 2.0%), significant at p = 0.001.');
  });

  it('handles an empty report', () => {
    const empty = formatCampaignReport({
      ...REPORT, audience: 0, excluded: {}, submitted: 0, delivered: 0, failed: 0, failedByCode: {}, deliveryRate: null, replyRate: null,
      firstSentAt: null, lastSentAt: null, timeToDelivery: { medianMs: null, p95Ms: null, samples: 0 }, variants: [], abTest: undefined, currency: undefined,
    }).join('\n');
    expect(empty).toContain('excluded 0.');
    expect(empty).toContain('Delivery rate: n/a · reply rate: n/a.');
    expect(empty).toContain('Time to delivery: n/a');
    expect(empty).toContain('cost 4200.50.');
    expect(empty).not.toContain('A/B');
  });
});

describe('formatDuration', () => {
  it.each([
    [null, 'n/a'],
    [0, '0 ms'],
    [850, '850 ms'],
    [999.6, '1.0 s'],
    [4200, '4.2 s'],
    [59_960, '1 min'],
    [180_000, '3 min'],
    [3_580_000, '1.0 h'],
    [9_000_000, '2.5 h'],
    [129_600_000, '1.5 d'],
  ])('%s ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
