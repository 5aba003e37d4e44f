import { describe, expect, it } from 'vitest';
import { newcombeInterval, wilsonInterval } from '../../src/outcomes/interval.js';
import { computeLift } from '../../src/outcomes/lift.js';

describe('confidence intervals', () => {
  it('matches the Wilson intervals published by Newcombe (1998), table I', () => {
    // 81/263: 0.2553 to 0.3662; 15/148: 0.0624 to 0.1605; 0/20: 0 to 0.1611.
    const [a1, a2] = wilsonInterval(81, 263);
    expect([a1, a2].map((n) => n.toFixed(4))).toEqual(['0.2553', '0.3662']);
    expect(wilsonInterval(15, 148).map((n) => n.toFixed(4))).toEqual(['0.0624', '0.1605']);
    expect(wilsonInterval(0, 20).map((n) => n.toFixed(4))).toEqual(['0.0000', '0.1611']);
  });

  it('matches Newcombe\'s worked examples of the hybrid score interval (method 10)', () => {
    // 56/70 − 48/80: 0.0524 to 0.3339 (Wald would say 0.0575 to 0.3425); 9/10 − 3/10: 0.1705 to 0.8090; 5/56 − 0/29: −0.0381 to 0.1926.
    const round = (r: ReturnType<typeof newcombeInterval>) => r && [r.low.toFixed(4), r.high.toFixed(4)];
    expect(round(newcombeInterval(56, 70, 48, 80))).toEqual(['0.0524', '0.3339']);
    expect(round(newcombeInterval(9, 10, 3, 10))).toEqual(['0.1705', '0.8090']);
    expect(round(newcombeInterval(5, 56, 0, 29))).toEqual(['-0.0381', '0.1926']);
    expect(newcombeInterval(1, 10, 0, 0)).toBeNull();
  });
});

describe('lift against the holdout', () => {
  it('gives the difference of conversion rates, its interval, the relative lift and a verdict', () => {
    const lift = computeLift({ contacts: 9500, converted: 475 }, { contacts: 500, converted: 10 }, 7);
    expect(lift.sent.rate).toBeCloseTo(0.05, 10);
    expect(lift.holdout.rate).toBeCloseTo(0.02, 10);
    expect(lift.difference).toBeCloseTo(0.03, 10);
    expect(lift.relative).toBeCloseTo(1.5, 10);
    expect(lift.ci95?.low).toBeGreaterThan(0.01);
    expect(lift.ci95?.low).toBeLessThan(0.03);
    expect(lift.ci95?.high).toBeGreaterThan(0.03);
    expect(lift.significant).toBe(true);
    expect(lift.note).toContain('+3.0 pp');
  });

  it('says when the difference cannot be told from none, and when a group is empty', () => {
    const close = computeLift({ contacts: 950, converted: 30 }, { contacts: 50, converted: 1 }, 7);
    expect(close.significant).toBe(false);
    expect(close.ci95?.low).toBeLessThan(0);
    expect(close.note).toContain('not distinguishable');
    const empty = computeLift({ contacts: 100, converted: 3 }, { contacts: 0, converted: 0 }, 7);
    expect(empty).toMatchObject({ difference: null, ci95: null, relative: null, significant: false });
  });
});
