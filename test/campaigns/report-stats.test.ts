import { describe, expect, it } from 'vitest';
import type { VariantReport } from '../../src/campaigns/report.js';
import { compareVariants, erf, erfc, normalCdf, quantile, summarizeDurations, twoProportionZTest } from '../../src/campaigns/report-stats.js';
import { twoProportionZTest as reExported } from '../../src/campaigns/report.js';

/** Relative error against reference values (Python math.erfc). */
const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

describe('erfc / normalCdf', () => {
  it.each([
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047265],
    [3, 2.2090496998585438e-5],
    [4, 1.541725790028002e-8],
    [-1, 1.842700792949715],
  ])('erfc(%d) within 1.2e-7 relative error', (x, expected) => {
    expect(relErr(erfc(x), expected)).toBeLessThan(1.2e-7);
  });

  it('gives erf and Φ at known points', () => {
    expect(erf(0)).toBeCloseTo(0, 7);
    expect(erf(1)).toBeCloseTo(0.8427007929, 7);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 7);
  });
});

describe('twoProportionZTest', () => {
  it('matches a textbook case: 45/100 vs 30/100', () => {
    const { z, pValue } = twoProportionZTest(45, 100, 30, 100);
    expect(z).toBeCloseTo(2.19089, 4);
    expect(relErr(pValue, 0.02845973691631057)).toBeLessThan(1e-6);
    expect(reExported).toBe(twoProportionZTest);
  });

  it('is antisymmetric in z and symmetric in p', () => {
    const ab = twoProportionZTest(45, 100, 30, 100);
    const ba = twoProportionZTest(30, 100, 45, 100);
    expect(ba.z).toBeCloseTo(-ab.z, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
  });

  it('keeps small p-values in the tails', () => {
    expect(relErr(twoProportionZTest(20, 20, 10, 20).pValue, 0.00026072963285531743)).toBeLessThan(1e-6);
    expect(twoProportionZTest(900, 1000, 500, 1000).pValue).toBeGreaterThan(0);
  });

  it('returns z = 0, p = 1 for equal proportions, zero totals and zero variance', () => {
    expect(twoProportionZTest(30, 100, 30, 100)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 0, 5, 10)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 0, 0, 0)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 50, 0, 80)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(50, 50, 80, 80)).toEqual({ z: 0, pValue: 1 });
  });

  it('refuses impossible counts', () => {
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(-1, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1, Number.NaN, 1, 10)).toThrow(RangeError);
  });
});

describe('quantile / summarizeDurations', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('interpolates between ranks (type 7)', () => {
    expect(quantile(oneToHundred, 0.5)).toBe(50.5);
    expect(quantile(oneToHundred, 0.95)).toBeCloseTo(95.05, 10);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('sorts a copy and rounds to whole ms', () => {
    const input = [5000, 1000, 3000, 2000, 4000];
    // Sorted 1000…5000: median 3000; p95 at rank 3.8 → 4000 + 0.8 × 1000.
    expect(summarizeDurations(input)).toEqual({ medianMs: 3000, p95Ms: 4800, samples: 5 });
    expect(input[0]).toBe(5000);
    expect(summarizeDurations([1, 2])).toEqual({ medianMs: 2, p95Ms: 2, samples: 2 }); // 1.5 → 2, 1.95 → 2
    expect(summarizeDurations([])).toEqual({ medianMs: null, p95Ms: null, samples: 0 });
  });
});

function variant(name: string, counts: Partial<VariantReport>): VariantReport {
  const v = { name, audience: 100, submitted: 100, delivered: 100, undelivered: 0, failed: 0, unknown: 0, pending: 0, replies: 0, optOuts: 0, segments: 100, cost: 350, ...counts };
  return { ...v, deliveryRate: v.submitted ? v.delivered / v.submitted : null, replyRate: v.delivered ? v.replies / v.delivered : null };
}

describe('compareVariants', () => {
  it('is significant at 45/100 vs 30/100 replies', () => {
    const result = compareVariants([variant('A', { replies: 30 }), variant('B', { replies: 45 })]);
    expect(result).toMatchObject({ leader: 'B', metric: 'replyRate', significant: true });
    expect(result?.z).toBeGreaterThan(0);
    expect(result?.note).toBe('B leads A on reply rate (45.0% vs 30.0%), significant at p = 0.028.');
  });

  it('is not significant just above p = 0.05 (8/100 vs 2/100)', () => {
    const result = compareVariants([variant('A', { replies: 8 }), variant('B', { replies: 2 })]);
    expect(result).toMatchObject({ leader: 'A', significant: false });
    expect(result?.pValue).toBeCloseTo(0.0516, 4);
    expect(result?.note).toBe('A leads B on reply rate (8.0% vs 2.0%), not significant (p = 0.052).');
  });

  it('needs 30 delivered per variant even when p is small', () => {
    const result = compareVariants([variant('A', { audience: 20, submitted: 20, delivered: 20 }), variant('B', { audience: 20, submitted: 20, delivered: 10 })]);
    expect(result).toMatchObject({ leader: 'A', metric: 'deliveryRate', significant: false });
    expect(result?.pValue).toBeLessThan(0.001);
    expect(result?.note).toContain('p < 0.001, but too early to call');
  });

  it('compares the two largest variants and reports a tie', () => {
    const result = compareVariants([variant('S', { audience: 10, replies: 9 }), variant('A', { replies: 5 }), variant('B', { audience: 200, submitted: 200, delivered: 200, replies: 10 })]);
    expect(result).toMatchObject({ leader: 'B', z: 0, pValue: 1, significant: false });
    expect(result?.note).toBe('B and A are level on reply rate (5.0% vs 5.0%), not significant (p = 1.000).');
  });

  it('needs two variants with messages', () => {
    expect(compareVariants([variant('A', {})])).toBeUndefined();
    expect(compareVariants([variant('A', {}), variant('B', { audience: 0, submitted: 0, delivered: 0 })])).toBeUndefined();
  });
});
