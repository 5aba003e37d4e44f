import { describe, expect, it } from 'vitest';
import { applyMarketingFooter, hasAdLabel, hasOptOut, messageLanguage } from '../../../src/messages/compliance/marketing-footer.js';
import { DEFAULT_POLICY } from '../../../src/messages/compliance/policy.js';

const ru = { language: 'ru', adLabel: DEFAULT_POLICY.adLabel, optOutText: DEFAULT_POLICY.optOutText } as const;
const en = { ...ru, language: 'en' } as const;

describe('applyMarketingFooter', () => {
  it('text with both "Реклама" and "СТОП": unchanged, nothing added', () => {
    const text = 'Реклама. Скидка 20% до 31.12. Отписка: СТОП на 1234';
    expect(applyMarketingFooter(text, ru)).toEqual({ text, added: [] });
  });

  it('text with "РЕКЛАМА" and "stop" in other cases: detected case-insensitively', () => {
    const text = 'РЕКЛАМА: скидка 20%. Ответьте stop, чтобы не получать';
    expect(applyMarketingFooter(text, ru).added).toEqual([]);
  });

  it('both missing: one line "<label>. <opt-out>" after a line feed, trailing space dropped', () => {
    expect(applyMarketingFooter('Скидка 20% по коду ZIMA  \n', ru)).toEqual({
      text: 'Скидка 20% по коду ZIMA\nРеклама. Отказ: СТОП в ответ',
      added: ['ad_label', 'opt_out'],
    });
  });

  it('only the ad label missing: only the label is added', () => {
    expect(applyMarketingFooter('Скидка 20%. Для отписки ответьте STOP', ru)).toEqual({
      text: 'Скидка 20%. Для отписки ответьте STOP\nРеклама',
      added: ['ad_label'],
    });
  });

  it('only the opt-out missing: only the opt-out is added', () => {
    expect(applyMarketingFooter('Реклама: скидка 20%', ru)).toEqual({
      text: 'Реклама: скидка 20%\nОтказ: СТОП в ответ',
      added: ['opt_out'],
    });
  });

  it('English text to a +1 number gets the English footer', () => {
    const text = 'Summer sale: 20% off everything this weekend';
    const language = messageLanguage(text, '+12125550123');
    expect(language).toBe('en');
    expect(applyMarketingFooter(text, { ...ru, language })).toEqual({
      text: 'Summer sale: 20% off everything this weekend\nAd. Reply STOP to opt out',
      added: ['ad_label', 'opt_out'],
    });
  });

  it('custom labels from the policy are used and detected', () => {
    const options = { language: 'ru', adLabel: { ru: 'Рекл.', en: 'Promo' }, optOutText: { ru: 'Отказ: 0 в ответ', en: 'Text 0 to quit' } } as const;
    expect(applyMarketingFooter('Скидка', options).text).toBe('Скидка\nРекл. Отказ: 0 в ответ');
    expect(applyMarketingFooter('Promo: sale. Text 0 to quit', { ...options, language: 'en' }).added).toEqual([]);
  });

  it('empty text: the footer alone', () => {
    expect(applyMarketingFooter('', en).text).toBe('Ad. Reply STOP to opt out');
  });
});

describe('detection works on whole words', () => {
  it.each([
    ['Реклама', true],
    ['реклама.', true],
    ['#Реклама', true],
    ['Рекламации принимаем', false],
    ['Ad: 20% off', true],
    ['New ad!', true],
    ['Bad news, add more', false],
    ['Adidas sale', false],
  ])('ad label in %j: %s', (text, expected) => {
    expect(hasAdLabel(text, DEFAULT_POLICY.adLabel)).toBe(expected);
  });

  it.each([
    ['Reply STOP', true],
    ['Ответьте СТОП', true],
    ['ответьте стоп', true],
    ['Чтобы отписаться, ответьте 0', true],
    ['Отписка: example.ru/u', true],
    ['Для отписки ответьте 0', true],
    ['Unsubscribe: ex.co/u', true],
    ['opt out at ex.co', true],
    ['Opt-out: ex.co', true],
    ['Nonstop deals all weekend', false],
    ['STOPPED by our store?', false],
    ['Остановка на Стопани', false],
    ['Скидка 20%', false],
  ])('opt-out in %j: %s', (text, expected) => {
    expect(hasOptOut(text)).toBe(expected);
  });
});

describe('messageLanguage', () => {
  it.each([
    ['Привет', '+12125550123', 'ru'],
    ['Hello', '+79123456789', 'ru'],
    ['Hello', '+77012345678', 'ru'],
    ['Hello', '+447700900123', 'en'],
    ['Hello, Ёжик', '+447700900123', 'ru'],
  ] as const)('%j to %s → %s', (text, phone, expected) => {
    expect(messageLanguage(text, phone)).toBe(expected);
  });
});
