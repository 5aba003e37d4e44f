import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/common/errors.js';
import type { Encoding } from '../../src/messages/encoding.js';
import {
  analyzeText,
  countSegments,
  encodeGsm7Septets,
  gsmSafeText,
  isGsm7,
  SEGMENT_LIMITS,
  splitIntoParts,
} from '../../src/messages/encoding.js';

const a = (n: number): string => 'a'.repeat(n);
const ya = (n: number): string => 'Я'.repeat(n);
const GRIN = '😀';

interface Row {
  name: string;
  text: string;
  encoding: Encoding;
  segments: number;
  units: number;
  characters?: number;
  /** Part lengths in code points, as Twilio's calculator shows them. */
  parts?: number[];
  nonGsm?: string[];
}

// Expected figures for the boundary rows are the ones measured with Twilio's segment calculator.
const rows: Row[] = [
  { name: 'empty string is 0 segments', text: '', encoding: 'GSM-7', segments: 0, units: 0, characters: 0, parts: [] },
  { name: '160 × a fits one SMS', text: a(160), encoding: 'GSM-7', segments: 1, units: 160, parts: [160] },
  { name: '161 × a needs two parts of 153', text: a(161), encoding: 'GSM-7', segments: 2, units: 161, parts: [153, 8] },
  { name: '306 × a is exactly two parts', text: a(306), encoding: 'GSM-7', segments: 2, units: 306, parts: [153, 153] },
  { name: '307 × a is three parts', text: a(307), encoding: 'GSM-7', segments: 3, units: 307, parts: [153, 153, 1] },
  { name: '80 × { is 160 septets, one SMS', text: '{'.repeat(80), encoding: 'GSM-7', segments: 1, units: 160, characters: 80, parts: [80] },
  { name: '81 × { splits 76 + 5 (no half escape)', text: '{'.repeat(81), encoding: 'GSM-7', segments: 2, units: 162, parts: [76, 5] },
  { name: '€ + 159 × a: escape pair not split', text: `€${a(159)}`, encoding: 'GSM-7', segments: 2, units: 161, characters: 160, parts: [152, 8] },
  { name: '€ at position 153 moves whole to part 2', text: `${a(152)}€${a(10)}`, encoding: 'GSM-7', segments: 2, units: 164, parts: [152, 11] },
  { name: 'straddling € costs an extra segment', text: `${a(152)}€${a(152)}`, encoding: 'GSM-7', segments: 3, units: 306, parts: [152, 152, 1] },
  { name: '€ alone is one character, two septets', text: '€', encoding: 'GSM-7', segments: 1, units: 2, characters: 1, parts: [1] },
  { name: '81 × € splits like {', text: '€'.repeat(81), encoding: 'GSM-7', segments: 2, units: 162, parts: [76, 5] },
  { name: '^| mix at exactly 160 septets', text: '^|'.repeat(40), encoding: 'GSM-7', segments: 1, units: 160, characters: 80 },
  { name: 'x^| mix one septet over', text: `${'x^|'.repeat(32)}x`, encoding: 'GSM-7', segments: 2, units: 161, parts: [92, 5] },
  { name: 'whole extension table', text: '\f^{}\\[~]|€', encoding: 'GSM-7', segments: 1, units: 20, characters: 10 },
  { name: 'newline and CR are GSM', text: 'Line1\r\nLine2\n', encoding: 'GSM-7', segments: 1, units: 13 },
  { name: 'GSM letters with accents', text: 'éèùìòÇØøÅåÆæßÉÄÖÑÜäöñüà', encoding: 'GSM-7', segments: 1, units: 23 },
  { name: 'GSM Greek capitals and symbols', text: 'ΔΦΓΛΩΠΨΣΘΞ @£$¥¤§¡¿_', encoding: 'GSM-7', segments: 1, units: 20 },
  { name: 'Ç is GSM', text: 'Ça va', encoding: 'GSM-7', segments: 1, units: 5 },
  { name: 'mixed GSM text with extensions', text: 'Price: 10€ [promo] {x}', encoding: 'GSM-7', segments: 1, units: 27, characters: 22 },
  { name: '70 × Я fits one SMS', text: ya(70), encoding: 'UCS-2', segments: 1, units: 70, parts: [70], nonGsm: ['Я'] },
  { name: '71 × Я splits 67 + 4', text: ya(71), encoding: 'UCS-2', segments: 2, units: 71, parts: [67, 4], nonGsm: ['Я'] },
  { name: '134 × Я is two full parts', text: ya(134), encoding: 'UCS-2', segments: 2, units: 134, parts: [67, 67], nonGsm: ['Я'] },
  { name: '135 × Я is three parts', text: ya(135), encoding: 'UCS-2', segments: 3, units: 135, parts: [67, 67, 1], nonGsm: ['Я'] },
  { name: '35 emoji fit one SMS', text: GRIN.repeat(35), encoding: 'UCS-2', segments: 1, units: 70, characters: 35, parts: [35], nonGsm: [GRIN] },
  { name: '36 emoji split 33 + 3', text: GRIN.repeat(36), encoding: 'UCS-2', segments: 2, units: 72, characters: 36, parts: [33, 3], nonGsm: [GRIN] },
  { name: 'surrogate pair at the boundary moves whole', text: `${ya(66)}${GRIN}${ya(10)}`, encoding: 'UCS-2', segments: 2, units: 78, characters: 77, parts: [66, 11], nonGsm: ['Я', GRIN] },
  { name: 'straddling emoji costs an extra segment', text: `${ya(66)}${GRIN}${ya(66)}`, encoding: 'UCS-2', segments: 3, units: 134, characters: 133, parts: [66, 66, 1], nonGsm: ['Я', GRIN] },
  { name: '66 × Я + 2 emoji still fits one SMS', text: `${ya(66)}${GRIN}${GRIN}`, encoding: 'UCS-2', segments: 1, units: 70, characters: 68, nonGsm: ['Я', GRIN] },
  { name: 'Latin + one Cyrillic letter is UCS-2', text: 'Hello Ivan, your code is 1234 Я', encoding: 'UCS-2', segments: 1, units: 31, nonGsm: ['Я'] },
  { name: '100 Latin + one Cyrillic: 67 + 34', text: `${a(100)}ж`, encoding: 'UCS-2', segments: 2, units: 101, parts: [67, 34], nonGsm: ['ж'] },
  { name: '153 Latin + one Cyrillic: 3 UCS-2 parts', text: `${a(153)}Я`, encoding: 'UCS-2', segments: 3, units: 154, parts: [67, 67, 20], nonGsm: ['Я'] },
  { name: 'curly apostrophe forces UCS-2', text: 'It’s fine', encoding: 'UCS-2', segments: 1, units: 9, nonGsm: ['’'] },
  { name: 'curly double quotes, listed once each', text: '“a” “b”', encoding: 'UCS-2', segments: 1, units: 7, nonGsm: ['“', '”'] },
  { name: 'ç is not GSM', text: 'Garçon', encoding: 'UCS-2', segments: 1, units: 6, nonGsm: ['ç'] },
  { name: 'á í ó ú ê are not GSM', text: 'á í ó ú ê', encoding: 'UCS-2', segments: 1, units: 9, nonGsm: ['á', 'í', 'ó', 'ú', 'ê'] },
  { name: 'backtick is not GSM', text: 'use `code`', encoding: 'UCS-2', segments: 1, units: 10, nonGsm: ['`'] },
  { name: 'non-breaking space is not GSM', text: '10\u00A0%', encoding: 'UCS-2', segments: 1, units: 4, nonGsm: ['\u00A0'] },
  { name: 'em dash is not GSM', text: 'a — b', encoding: 'UCS-2', segments: 1, units: 5, nonGsm: ['—'] },
  { name: 'lowercase Greek is not GSM', text: 'α', encoding: 'UCS-2', segments: 1, units: 1, nonGsm: ['α'] },
  { name: 'ZWJ emoji counts every code unit', text: '👩‍💻', encoding: 'UCS-2', segments: 1, units: 5, characters: 3, nonGsm: ['👩', '\u200D', '💻'] },
  { name: 'lone surrogate is one unit', text: '\uD83Dabc', encoding: 'UCS-2', segments: 1, units: 4, characters: 4, nonGsm: ['\uD83D'] },
  { name: 'a literal ESC control char is not sendable as GSM', text: 'a\u001Bb', encoding: 'UCS-2', segments: 1, units: 3, nonGsm: ['\u001B'] },
];

function partUnits(part: string, encoding: Encoding): number {
  return encoding === 'GSM-7' ? encodeGsm7Septets(part).length : part.length;
}

describe('analyzeText / countSegments / splitIntoParts', () => {
  it('has a table of at least 30 texts', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(rows)('$name', (row) => {
    const info = analyzeText(row.text);

    it('detects encoding, units and segments', () => {
      expect(info.encoding).toBe(row.encoding);
      expect(info.units).toBe(row.units);
      expect(info.segments).toBe(row.segments);
      expect(info.parts).toHaveLength(row.segments);
      if (row.characters !== undefined) expect(info.characters).toBe(row.characters);
      if (row.parts !== undefined) expect(info.parts.map((p) => Array.from(p).length)).toEqual(row.parts);
    });

    it('countSegments agrees without building parts', () => {
      const { parts: _parts, nonGsmCharacters: _non, ...count } = info;
      expect(countSegments(row.text)).toEqual(count);
    });

    it('lists exactly the characters that force UCS-2', () => {
      expect(info.nonGsmCharacters).toEqual(row.nonGsm ?? []);
    });

    it('splits into parts that join back, stay within limits and never cut a pair', () => {
      const parts = splitIntoParts(row.text, row.encoding);
      expect(parts).toEqual(info.parts);
      expect(parts.join('')).toBe(row.text);
      const limits = SEGMENT_LIMITS[row.encoding];
      const limit = parts.length > 1 ? limits.multi : limits.single;
      for (const part of parts) {
        expect(part.length).toBeGreaterThan(0);
        expect(partUnits(part, row.encoding)).toBeLessThanOrEqual(limit);
      }
      for (let i = 1; i < parts.length; i++) {
        const before = parts[i - 1]!.charCodeAt(parts[i - 1]!.length - 1);
        const after = parts[i]!.charCodeAt(0);
        const cutsPair = before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
        expect(cutsPair).toBe(false);
      }
    });
  });

  it('splits GSM-only text by UCS-2 limits when asked to', () => {
    expect(splitIntoParts(a(71), 'UCS-2').map((p) => p.length)).toEqual([67, 4]);
  });

  it('refuses to split non-GSM text as GSM-7', () => {
    expect(() => splitIntoParts('Привет', 'GSM-7')).toThrow(AppError);
  });

  it('isGsm7 follows the alphabet', () => {
    expect(isGsm7('Hello {world} €5 ^_^')).toBe(true);
    expect(isGsm7('')).toBe(true);
    expect(isGsm7('Garçon')).toBe(false);
    expect(isGsm7('hi 😀')).toBe(false);
  });
});

describe('encodeGsm7Septets', () => {
  it('maps basic characters to their septet values', () => {
    expect(encodeGsm7Septets('@£$\nAa')).toEqual([0x00, 0x01, 0x02, 0x0a, 0x41, 0x61]);
    expect(encodeGsm7Septets('ΔÉ¡§¿à')).toEqual([0x10, 0x1f, 0x40, 0x5f, 0x60, 0x7f]);
  });

  it('escapes extension characters with 0x1B', () => {
    expect(encodeGsm7Septets('€{}|')).toEqual([0x1b, 0x65, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x40]);
    expect(encodeGsm7Septets('\f^\\[~]')).toEqual([0x1b, 0x0a, 0x1b, 0x14, 0x1b, 0x2f, 0x1b, 0x3c, 0x1b, 0x3d, 0x1b, 0x3e]);
  });

  it('throws a validation error naming the character', () => {
    try {
      encodeGsm7Septets('ok ç');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('VALIDATION_FAILED');
      expect((error as AppError).details).toEqual({ index: 3, character: 'ç' });
    }
  });
});

describe('gsmSafeText', () => {
  it('turns typographic punctuation into GSM-7', () => {
    const result = gsmSafeText('“Hi” — it’s…');
    expect(result.text).toBe('"Hi" - it\'s...');
    expect(isGsm7(result.text)).toBe(true);
    expect(result.remaining).toEqual([]);
    expect(result.replaced).toEqual([
      { from: '“', to: '"' },
      { from: '”', to: '"' },
      { from: '—', to: '-' },
      { from: '’', to: "'" },
      { from: '…', to: '...' },
    ]);
  });

  it('normalises spaces, removes zero-width characters, maps bullets and №', () => {
    expect(gsmSafeText('a\u00A0b\u2009c\u202Fd\u3000e').text).toBe('a b c d e');
    expect(gsmSafeText('zero\u200Bwidth\uFEFF\u200Djoin').text).toBe('zerowidthjoin');
    expect(gsmSafeText('• item № 5 «quoted» 1−2 `x`').text).toBe('- item No. 5 "quoted" 1-2 \'x\'');
  });

  it('strips accents GSM lacks and keeps the ones it has', () => {
    const result = gsmSafeText('Crème brûlée à la façon de São Paulo, ÁÍÓÚ ê');
    expect(result.text).toBe('Crème brulée à la facon de Sao Paulo, AIOU e');
    expect(isGsm7(result.text)).toBe(true);
    const native = 'éèùìòÇØøÅåÆæßÉÄÖÑÜäöñüà';
    expect(gsmSafeText(native)).toEqual({ text: native, replaced: [], remaining: [] });
  });

  it('recomposes a decomposed accent into the GSM letter', () => {
    expect(gsmSafeText('Cafe\u0301').text).toBe('Café');
  });

  it('leaves Cyrillic alone unless transliteration is asked for', () => {
    const result = gsmSafeText('Привет');
    expect(result.text).toBe('Привет');
    expect(result.remaining).toEqual(['П', 'р', 'и', 'в', 'е', 'т']);
  });

  it('transliterates Russian into readable GSM-7', () => {
    const result = gsmSafeText('Привет, Юлия! Скидка 20% до 31.12', { transliterate: true });
    expect(result.text).toBe('Privet, Yuliya! Skidka 20% do 31.12');
    expect(analyzeText(result.text).encoding).toBe('GSM-7');
    expect(result.remaining).toEqual([]);
  });

  it.each([
    ['СТОП', 'STOP'],
    ['ЩИ', 'SHCHI'],
    ['Щи', 'Shchi'],
    ['Жанна', 'Zhanna'],
    ['ЖЕНЯ ЮЛЯ', 'ZHENYA YULYA'],
    ['Ж', 'Zh'],
    ['ТОЖ!', 'TOZH!'],
    ['объявление, подъезд', 'obyavlenie, podezd'],
    ['Ёлка и чай', 'Elka i chay'],
    ['Хорошо, цена', 'Khorosho, tsena'],
    ['«цитата»', '"tsitata"'],
  ])('transliterates %s as %s', (input, expected) => {
    expect(gsmSafeText(input, { transliterate: true }).text).toBe(expected);
  });

  it('never replaces emoji; they stay in remaining', () => {
    const result = gsmSafeText('Скидка 🎉 20% 👩‍💻!', { transliterate: true });
    expect(result.text).toBe('Skidka 🎉 20% 👩‍💻!');
    expect(result.remaining).toEqual(['🎉', '👩', '\u200D', '💻']);
    expect(analyzeText(result.text).encoding).toBe('UCS-2');
  });
});
