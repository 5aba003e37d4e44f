import { validate } from 'node-cron';
import { describe, expect, it } from 'vitest';
import type { LocalParts } from '../../src/contacts/timezone.js';
import { cronMatches, parseCron, triggerExpression, type CronSpec } from '../../src/schedule/cron-expression.js';

function spec(expression: string): CronSpec {
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.spec;
}

// June 2026: the 1st is a Monday, the 7th a Sunday.
function at(day: number, hour: number, minute: number, month = 6): LocalParts {
  const weekday = new Date(Date.UTC(2026, month - 1, day)).getUTCDay();
  return { year: 2026, month, day, hour, minute, weekday };
}

const matches = (expression: string, parts: LocalParts) => cronMatches(spec(expression), parts);

describe('cron matcher', () => {
  it('matches lists, ranges and steps', () => {
    expect(matches('0,30 * * * *', at(3, 9, 30))).toBe(true);
    expect(matches('0,30 * * * *', at(3, 9, 15))).toBe(false);
    expect(matches('0 9-17 * * *', at(3, 17, 0))).toBe(true);
    expect(matches('0 9-17 * * *', at(3, 18, 0))).toBe(false);
    expect([...spec('*/15 * * * *').minutes]).toEqual([0, 15, 30, 45]);
    expect([...spec('10-50/20 * * * *').minutes]).toEqual([10, 30, 50]);
    expect([...spec('0 8-10,20 * * *').hours]).toEqual([8, 9, 10, 20]);
  });

  it('reads month and weekday names in any case', () => {
    expect(matches('0 10 * jun MON', at(1, 10, 0))).toBe(true);
    expect(matches('0 10 * jul-dec *', at(1, 10, 0))).toBe(false);
    expect([...spec('0 10 * * mon-fri').weekdays]).toEqual([1, 2, 3, 4, 5]);
  });

  it('treats day of week 0 and 7 as Sunday', () => {
    const sunday = at(7, 0, 0);
    expect(matches('0 0 * * 0', sunday)).toBe(true);
    expect(matches('0 0 * * 7', sunday)).toBe(true);
    expect(matches('0 0 * * 5-7', sunday)).toBe(true);
    expect(matches('0 0 * * fri-sun', sunday)).toBe(true);
    expect(matches('0 0 * * 7', at(6, 0, 0))).toBe(false);
    expect([...spec('0 0 * * 0-7').weekdays].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('fires when either day of month or day of week matches if both are restricted (POSIX)', () => {
    // "the 3rd and every Monday": 1 June is a Monday, 3 June a Wednesday, 4 June a Thursday.
    expect(matches('0 10 3 * 1', at(1, 10, 0))).toBe(true);
    expect(matches('0 10 3 * 1', at(3, 10, 0))).toBe(true);
    expect(matches('0 10 3 * 1', at(4, 10, 0))).toBe(false);
    // Only one restricted: both must hold (the * side always does).
    expect(matches('0 10 3 * *', at(1, 10, 0))).toBe(false);
    expect(matches('0 10 * * 1', at(3, 10, 0))).toBe(false);
    // A field starting with * counts as unrestricted (Vixie cron): odd days that are Mondays.
    expect(matches('0 10 */2 * 1', at(1, 10, 0))).toBe(true);
    expect(matches('0 10 */2 * 1', at(8, 10, 0))).toBe(false);
    expect(matches('0 10 */2 * 1', at(3, 10, 0))).toBe(false);
  });
});

describe('cron syntax, compared with node-cron validate', () => {
  it.each([
    '* * * * *', '0 10 * * *', '*/15 9-18 * * 1-5', '0 0 1,15 * *', '30 8 * jan-mar mon',
    '0 12 1 * *', '5-55/10 * * * *', '0 0 * * 7', '0 10 29 2 *', '  0   10 * * *  ', '0 0 31 1,2 *',
  ])('accepts %j like node-cron', (expression) => {
    expect(validate(expression)).toBe(true);
    expect(parseCron(expression).ok).toBe(true);
  });

  it.each([
    '', '* * * *', '60 * * * *', '0 24 * * *', '0 0 0 * *', '0 0 32 * *', '0 0 * 13 *', '0 0 * * 8',
    '*/0 * * * *', 'x * * * *', '0 0 * * * * *', '0 0 30 2 *', '1,,2 * * * *',
  ])('rejects %j like node-cron', (expression) => {
    expect(validate(expression)).toBe(false);
    expect(parseCron(expression).ok).toBe(false);
  });

  it.each(['0 0 10 * * *', '@daily', '0 22-2 * * *', '0 0 L * *', '0 0 * * 1#2', '0 0 ? * 1', '0 0 * * monday', '5/15 * * * *'])(
    'is stricter than node-cron on %j',
    (expression) => {
      expect(parseCron(expression).ok).toBe(false);
      // '5/15' is rejected by both; the rest node-cron would take with meanings the manual scheduler does not model.
      if (expression !== '5/15 * * * *') expect(validate(expression)).toBe(true);
    },
  );

  it('says which field is wrong', () => {
    expect(parseCron('0 25 * * *')).toEqual({ ok: false, reason: 'hour "25" is outside 0-23' });
    expect(parseCron('0 0 * * xyz')).toMatchObject({ reason: expect.stringContaining('day of week "xyz"') });
    expect(parseCron('0 22-2 * * *')).toMatchObject({ reason: expect.stringContaining('runs backwards') });
  });
});

describe('trigger expression for node-cron', () => {
  it('writes the spec out and widens the days when both are restricted', () => {
    expect(triggerExpression(spec('0 10 * * *'))).toBe('0 10 * * *');
    expect(triggerExpression(spec('*/15 9-11 * * mon-fri'))).toBe('0,15,30,45 9,10,11 * * 1,2,3,4,5');
    expect(triggerExpression(spec('0 10 3 * 1'))).toBe('0 10 * * *');
    expect(triggerExpression(spec('0 10 1,15 jan *'))).toBe('0 10 1,15 1 *');
    expect(triggerExpression(spec('0 0 * * 0-7'))).toBe('0 0 * * *');
    for (const expression of ['*/15 9-11 * * mon-fri', '0 10 3 * 1', '0 10 1,15 jan *']) {
      expect(validate(triggerExpression(spec(expression)))).toBe(true);
    }
  });
});
