import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLIES,
  HELP_WORDS,
  START_WORDS,
  STOP_WORDS,
  classifyInbound,
  normalizeKeyword,
  replyFor,
} from '../../src/delivery/keywords.js';
import type { KeywordReplies } from '../../src/delivery/keywords.js';

describe('classifyInbound', () => {
  it.each([
    ...STOP_WORDS.map((word) => [word, 'stop'] as const),
    ...START_WORDS.map((word) => [word, 'start'] as const),
    ...HELP_WORDS.map((word) => [word, 'help'] as const),
  ])('%s → %s, in upper, lower and title case', (word, intent) => {
    expect(classifyInbound(word)).toBe(intent);
    expect(classifyInbound(word.toLowerCase())).toBe(intent);
    expect(classifyInbound(word.charAt(0) + word.slice(1).toLowerCase())).toBe(intent);
  });

  it('knows every keyword of the brief', () => {
    expect([...STOP_WORDS].sort()).toEqual(
      ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT', 'СТОП', 'ОТПИСКА', 'ОТПИСАТЬСЯ', 'ОТПИСАТЬ'].sort(),
    );
    expect([...START_WORDS].sort()).toEqual(['START', 'UNSTOP', 'YES', 'СТАРТ'].sort());
    expect([...HELP_WORDS].sort()).toEqual(['HELP', 'INFO', 'ПОМОЩЬ', 'СПРАВКА'].sort());
  });

  it.each([
    ['Stop.', 'stop'],
    ['  стоп!! ', 'stop'],
    ['STOP 🙏', 'stop'],
    ['🛑 stop 🛑', 'stop'],
    ['"Отписаться"', 'stop'],
    ['«СТОП»', 'stop'],
    ['\tunsubscribe\n', 'stop'],
    ['opt-out', 'stop'],
    ['Opt   out!', 'stop'],
    ['opt_out', 'stop'],
    ['STOP\u200b', 'stop'],
    ['\ufeffstop', 'stop'],
    ['ＳＴＯＰ', 'stop'],
    ['👍🏽 yes!!!', 'start'],
    ['Start?', 'start'],
    ['help?', 'help'],
    ['Помощь...', 'help'],
    ['справка?!', 'help'],
  ])('%j → %s (punctuation, emoji, spacing, invisible characters)', (text, intent) => {
    expect(classifyInbound(text)).toBe(intent);
  });

  it.each([
    ['CТОП', 'Latin C in a Cyrillic word'],
    ['СТOП', 'Latin O'],
    ['CTOП', 'Latin C, T, O'],
    ['cтoп', 'lower-case Latin c and o'],
    ['CTAPT', 'СТАРТ written with Latin letters only'],
    ['ОТПИCКA', 'Latin C and A'],
    ['STОP', 'a Cyrillic О in an English word'],
    ['НЕLР', 'Cyrillic Н and Е in HELP'],
  ])('%s matches (%s)', (text) => {
    expect(classifyInbound(text)).not.toBe('other');
  });

  it('maps homoglyphs to the right family', () => {
    expect(classifyInbound('CТОП')).toBe('stop');
    expect(classifyInbound('CTAPT')).toBe('start');
    expect(classifyInbound('НЕLР')).toBe('help');
  });

  it('treats ё as е', () => {
    expect(normalizeKeyword('ещё')).toBe(normalizeKeyword('еще'));
    expect(normalizeKeyword('Ёлка')).toBe(normalizeKeyword('елка'));
  });

  it('gives every keyword a distinct comparable form, so no family shadows another', () => {
    const all = [...STOP_WORDS, ...START_WORDS, ...HELP_WORDS].map(normalizeKeyword);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each([
    'stop sending me this',
    'STOP PLEASE',
    'please stop',
    'стоп уже',
    'Не пишите мне больше',
    'stopp',
    'STOP1',
    'stops',
    'yes please',
    'helpdesk',
    'информация',
    'START STOP',
    'stop all',
    '',
    '   ',
    '!!!',
    '🙏',
    'ok',
  ])('%j is not a keyword → other', (text) => {
    expect(classifyInbound(text)).toBe('other');
  });

  it('still finds a keyword padded with a lot of whitespace or emoji', () => {
    expect(classifyInbound(`${' '.repeat(500)}STOP${'🙏'.repeat(300)}`)).toBe('stop');
  });
});

describe('replyFor', () => {
  it('returns the default confirmation in the recipient language', () => {
    expect(replyFor('stop', 'ru')).toBe('Вы отписаны от рассылки. Чтобы снова получать сообщения, ответьте СТАРТ.');
    expect(replyFor('stop', 'en')).toBe('You are unsubscribed and will get no more messages. Reply START to resubscribe.');
    expect(replyFor('start', 'ru')).toBe('Вы снова подписаны. Отказ: СТОП в ответ.');
    expect(replyFor('start', 'en')).toBe('You are subscribed again. Reply STOP to opt out.');
    expect(replyFor('help', 'ru')).toBe('Справка: ответьте СТОП, чтобы отписаться.');
    expect(replyFor('help', 'en')).toBe('Help: reply STOP to opt out.');
  });

  it('uses configured replies', () => {
    const replies: KeywordReplies = { ...DEFAULT_REPLIES, help: { ru: 'ООО Ромашка: 8-800-000-00-00. СТОП — отписка.', en: 'Acme: help@acme.test. STOP to opt out.' } };
    expect(replyFor('help', 'en', replies)).toBe('Acme: help@acme.test. STOP to opt out.');
    expect(replyFor('stop', 'ru', replies)).toBe(DEFAULT_REPLIES.stop.ru);
  });

  it('the stop and start replies name the keyword that undoes them', () => {
    expect(replyFor('stop', 'en')).toContain('START');
    expect(replyFor('stop', 'ru')).toContain('СТАРТ');
    expect(replyFor('start', 'en')).toContain('STOP');
    expect(replyFor('start', 'ru')).toContain('СТОП');
  });
});
