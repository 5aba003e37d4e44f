import { describe, expect, it } from 'vitest';
import { frequencyCapExceeded } from '../../../src/messages/compliance/frequency-cap.js';

const DAY = 86_400_000;
const T = Date.parse('2026-06-10T12:00:00Z');
const at = new Date(T);
const times = (...offsets: number[]): Date[] => offsets.map((offset) => new Date(T + offset));
const cap = { max: 2, days: 7 };

describe('frequencyCapExceeded (2 per rolling 7 × 24 h, half-open windows)', () => {
  it('no history or one message: allowed', () => {
    expect(frequencyCapExceeded([], at, cap)).toBe(false);
    expect(frequencyCapExceeded(times(-DAY), at, cap)).toBe(false);
  });

  it('two sent in the last week: refused', () => {
    expect(frequencyCapExceeded(times(-6 * DAY, -DAY), at, cap)).toBe(true);
  });

  it('the older of the two exactly 7 × 24 h ago no longer shares a window with T', () => {
    expect(frequencyCapExceeded(times(-7 * DAY, -DAY), at, cap)).toBe(false);
    expect(frequencyCapExceeded(times(-7 * DAY + 1, -DAY), at, cap)).toBe(true);
  });

  it('planned messages count too, in both directions', () => {
    expect(frequencyCapExceeded(times(DAY, 2 * DAY), at, cap)).toBe(true);
    expect(frequencyCapExceeded(times(-DAY, 6 * DAY - 1), at, cap)).toBe(true);
    // -1 day … +6 days spans exactly 7 × 24 h: no half-open window holds both ends.
    expect(frequencyCapExceeded(times(-DAY, 6 * DAY), at, cap)).toBe(false);
  });

  it('day 0, 6 and 12 is fine: every 7-day window holds at most 2 (a ±7-day count would refuse it)', () => {
    expect(frequencyCapExceeded(times(-6 * DAY, 6 * DAY), at, cap)).toBe(false);
  });

  it('messages a full window away on both sides do not count', () => {
    expect(frequencyCapExceeded(times(-30 * DAY, -7 * DAY, 7 * DAY, 30 * DAY), at, cap)).toBe(false);
  });

  it('a message at the same instant counts', () => {
    expect(frequencyCapExceeded(times(0, 0), at, cap)).toBe(true);
    expect(frequencyCapExceeded(times(0), at, { max: 1, days: 1 })).toBe(true);
  });

  it('unsorted input, other caps', () => {
    expect(frequencyCapExceeded(times(2 * DAY, -20 * DAY, -2 * DAY), at, { max: 3, days: 7 })).toBe(false);
    expect(frequencyCapExceeded(times(2 * DAY, -20 * DAY, -2 * DAY, -3 * DAY), at, { max: 3, days: 7 })).toBe(true);
    expect(frequencyCapExceeded(times(-23 * 3_600_000), at, { max: 1, days: 1 })).toBe(true);
    expect(frequencyCapExceeded(times(-DAY), at, { max: 1, days: 1 })).toBe(false);
  });
});
