import { describe, expect, it } from 'vitest';
import type { InboundRecord } from '../../src/campaigns/report.js';
import { parseSurveyOption, surveyMatcher, surveyTally } from '../../src/campaigns/survey.js';

let n = 0;
const reply = (text: string, over: Partial<InboundRecord> = {}): InboundRecord => {
  n += 1;
  return { id: `i${n}`, at: `2026-11-27T10:${String(n % 60).padStart(2, '0')}:00.000Z`, from: `+7999000${String(n).padStart(4, '0')}`, contactId: `c${n}`, text, kind: 'reply', campaignId: 'camp', ...over };
};

describe('survey options', () => {
  it('reads KEY=label pairs, and numbers bare labels from 1', () => {
    expect(parseSurveyOption('1=Отлично, 2=Нормально ,3=Плохо')).toEqual({ options: [{ key: '1', label: 'Отлично' }, { key: '2', label: 'Нормально' }, { key: '3', label: 'Плохо' }] });
    expect(parseSurveyOption('Great,Okay,Bad').options.map((o) => o.key)).toEqual(['1', '2', '3']);
  });

  it('refuses too few options, repeats, and options spelt like a keyword', () => {
    expect(() => parseSurveyOption('1=Да')).toThrow('2 to 10 options');
    expect(() => parseSurveyOption('1=Ёлка,2=елка')).toThrow('read alike');
    expect(() => parseSurveyOption('1=Yes,2=No')).toThrow('START keyword');
    expect(() => parseSurveyOption('1=Хорошо,2=Стоп')).toThrow('STOP keyword');
  });
});

describe('survey replies', () => {
  const ru = parseSurveyOption('1=Отлично,2=Нормально,3=Плохо').options;
  const en = parseSurveyOption('1=Great,2=Okay,3=Bad').options;

  it('match by number or by word, forgiving case, spaces, punctuation and Ё/Е', () => {
    const match = surveyMatcher(ru);
    for (const text of ['1', ' 1.', '1!', 'отлично!', 'Отлично', 'ОТЛИЧНО', '  отлично  ', '1 - отлично', '1. Отлично', '«Отлично»']) expect(match(text)?.key, text).toBe('1');
    expect(match('плохо...')?.key).toBe('3');
    expect(surveyMatcher(parseSurveyOption('1=Всё хорошо,2=Ещё нет').options)('все хорошо')?.key).toBe('1');
    const english = surveyMatcher(en);
    for (const text of ['great', 'GREAT!!', '2', 'okay.', ' Bad ']) expect(english(text), text).toBeDefined();
    for (const text of ['12', 'отлично, но дорого', 'not great', '4']) expect(match(text) ?? english(text), text).toBeUndefined();
  });

  it('tally one vote per recipient (the latest), list other replies, and never count STOP', () => {
    const campaign = { id: 'camp', survey: { options: ru } };
    const records: InboundRecord[] = [
      reply('2', { contactId: 'anna', at: '2026-11-27T10:00:00.000Z' }),
      reply('нет, 1!', { contactId: 'anna', at: '2026-11-27T10:05:00.000Z' }),
      reply('Отлично', { contactId: 'anna', at: '2026-11-27T10:06:00.000Z' }),
      reply('ПЛОХО', { contactId: 'boris', at: '2026-11-27T10:01:00.000Z' }),
      reply('СТОП', { contactId: 'vera', kind: 'opt_out' }),
      reply('1', { contactId: 'other-campaign', campaignId: 'else' }),
      reply(' 1.', { contactId: undefined, from: '+79990000001' }),
    ];
    const tally = surveyTally(campaign, records);
    expect(tally.options).toEqual([{ key: '1', label: 'Отлично', count: 2 }, { key: '2', label: 'Нормально', count: 0 }, { key: '3', label: 'Плохо', count: 1 }]);
    expect(tally.other).toEqual([{ text: 'нет, 1!', at: '2026-11-27T10:05:00.000Z' }]);
    expect(tally.responders).toBe(3);
    expect(tally.voters).toBe(3);
    // The latest vote wins: Anna's final "Отлично" after "2".
    const changed = surveyTally(campaign, [reply('1', { contactId: 'g', at: '2026-11-27T11:00:00.000Z' }), reply('3', { contactId: 'g', at: '2026-11-27T11:01:00.000Z' })]);
    expect(changed.options.map((o) => o.count)).toEqual([0, 0, 1]);
  });

  it('lists every reply as free text when the campaign has no survey', () => {
    const tally = surveyTally({ id: 'camp' }, [reply('1'), reply('hello')]);
    expect(tally).toMatchObject({ options: [], responders: 2, voters: 0 });
    expect(tally.other.map((o) => o.text)).toEqual(['1', 'hello']);
  });
});
