import { describe, expect, it } from 'vitest';
import type { Touch } from '../../src/outcomes/attribution.js';
import { attribute } from '../../src/outcomes/attribution.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const at = (day: number, hour = 12): string => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
const message = (campaignId: string, day: number, hour = 12): Touch => ({ campaignId, via: 'message', at: at(day, hour), messageId: `m-${campaignId}`, variant: 'A' });
const click = (campaignId: string, day: number, hour = 12): Touch => ({ campaignId, via: 'click', at: at(day, hour), messageId: `m-${campaignId}`, variant: 'B' });

describe('attribution', () => {
  it('credits the last message that reached the contact within the window', () => {
    expect(attribute(at(10), [message('c1', 3, 13), message('c2', 8)], WEEK)).toMatchObject({ campaignId: 'c2', via: 'message', messageId: 'm-c2', variant: 'A', touchedAt: at(8) });
  });

  it('does not credit a message older than the window, nor one sent after the order', () => {
    expect(attribute(at(10), [message('old', 3, 11)], WEEK)).toBeUndefined();
    expect(attribute(at(10), [message('later', 10, 13)], WEEK)).toBeUndefined();
    expect(attribute(at(10), [message('edge', 3, 12)], WEEK)?.campaignId).toBe('edge');
    expect(attribute(at(10), [message('short', 8)], DAY)).toBeUndefined();
  });

  it('lets a click within the window beat a later campaign that was only delivered', () => {
    const touches = [message('clicked', 4), click('clicked', 5), message('delivered-later', 9)];
    expect(attribute(at(10), touches, WEEK)).toMatchObject({ campaignId: 'clicked', via: 'click', touchedAt: at(5), variant: 'B' });
  });

  it('lets the latest click win among clicks, and ignores a click outside the window', () => {
    expect(attribute(at(10), [click('a', 5), click('b', 6)], WEEK)?.campaignId).toBe('b');
    expect(attribute(at(10), [click('stale', 2), message('fresh', 9)], WEEK)?.campaignId).toBe('fresh');
  });

  it('prefers any message over a holdout, and a holdout over nothing', () => {
    const holdout: Touch = { campaignId: 'held', via: 'holdout', at: at(9) };
    expect(attribute(at(10), [holdout, message('other', 5)], WEEK)?.campaignId).toBe('other');
    expect(attribute(at(10), [holdout], WEEK)).toEqual({ campaignId: 'held', via: 'holdout', touchedAt: at(9) });
  });

  it('breaks an exact tie by the smaller campaign id, so the answer does not depend on order', () => {
    expect(attribute(at(10), [message('zeta', 8), message('alpha', 8)], WEEK)?.campaignId).toBe('alpha');
    expect(attribute(at(10), [message('alpha', 8), message('zeta', 8)], WEEK)?.campaignId).toBe('alpha');
  });
});

describe('isoMs', () => {
  it('reads stored times like Date.parse, and other forms through it', async () => {
    const { isoMs } = await import('../../src/outcomes/timeline.js');
    for (const text of ['2026-11-27T09:00:05.123Z', '2026-12-31T23:59:59.999Z', '2024-02-29T00:00:00.000Z', '2026-11-27T12:00:05+03:00', 'nonsense']) {
      expect(isoMs(text)).toEqual(Date.parse(text));
    }
  });
});
