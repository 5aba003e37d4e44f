/**
 * SMS encoding and segmentation. A message goes out as GSM-7 when every character is in the GSM 03.38
 * alphabet, otherwise the whole message is UCS-2. Long messages are sent as concatenated parts whose
 * 6-octet UDH leaves 153 septets / 67 UTF-16 units per part, and a part boundary never falls inside a
 * GSM escape pair (ESC + char) or a surrogate pair: the pair moves whole to the next part.
 *
 * countSegments is the hot path (every rendered message of a campaign goes through it): one pass over
 * char codes against a flat table, no allocation besides the result. analyzeText adds the parts and
 * the offending characters for previews and the SMPP adapter.
 */
import { AppError } from '../common/errors.js';
import { GSM_COST, GSM_ESCAPE, GSM_SEPTET } from './gsm-alphabet.js';
// Implemented next to their tables; re-exported so callers have one entry point.
export { gsmSafeText } from './transliterate.js';
export { isGsm7 } from './gsm-alphabet.js';
export type { GsmSafeResult } from './transliterate.js';

export type Encoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: Encoding;
  /** User-visible length: characters for GSM-7 (an extension char counts 1), code points for UCS-2. */
  characters: number;
  /** Septets for GSM-7 (an extension char costs 2), UTF-16 code units for UCS-2. */
  units: number;
  /** Number of SMS billed. The empty string is 0 segments: there is nothing to send. */
  segments: number;
}

export interface EncodingInfo extends SegmentCount {
  /** The text as it would be split for sending; [] for the empty string. Joined, they equal the input. */
  parts: string[];
  /** Distinct characters that force UCS-2, in order of first appearance (an emoji is one entry). */
  nonGsmCharacters: string[];
}

export const SEGMENT_LIMITS: Readonly<Record<Encoding, { single: number; multi: number }>> = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
};

const EMPTY: SegmentCount = { encoding: 'GSM-7', characters: 0, units: 0, segments: 0 };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function notEncodable(text: string, index: number): AppError {
  const code = text.codePointAt(index) ?? 0;
  const char = String.fromCodePoint(code);
  return new AppError('VALIDATION_FAILED', `"${char}" (U+${code.toString(16).toUpperCase().padStart(4, '0')}) at index ${index} is not in the GSM-7 alphabet`, {
    hint: 'Choose the encoding with analyzeText, or make the text GSM-safe with gsmSafeText first.',
    details: { index, character: char },
  });
}

/**
 * Greedy packing into concatenated parts of `multi` units, pairs kept whole. Returns the number of
 * parts and, when `out` is given, pushes the part strings. Throws if GSM-7 is asked for text it
 * cannot carry, so a caller can never send a silently corrupted message.
 */
function pack(text: string, encoding: Encoding, out: string[] | null): number {
  const limit = SEGMENT_LIMITS[encoding].multi;
  const length = text.length;
  let parts = 0;
  let start = 0;
  let fill = 0;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    let cost: number;
    let width = 1;
    if (encoding === 'GSM-7') {
      cost = GSM_COST[code]!;
      if (cost === 0) throw notEncodable(text, i);
    } else {
      if (isHighSurrogate(code) && i + 1 < length && isLowSurrogate(text.charCodeAt(i + 1))) width = 2;
      cost = width;
    }
    if (fill + cost > limit) {
      out?.push(text.slice(start, i));
      parts++;
      start = i;
      fill = 0;
    }
    fill += cost;
    i += width;
  }
  if (fill > 0) {
    out?.push(text.slice(start));
    parts++;
  }
  return parts;
}

/** Encoding, length and segment count without building parts: the per-message hot path. */
export function countSegments(text: string): SegmentCount {
  const length = text.length;
  if (length === 0) return { ...EMPTY };
  let septets = 0;
  let escapes = 0;
  let i = 0;
  for (; i < length; i++) {
    const cost = GSM_COST[text.charCodeAt(i)]!;
    if (cost === 0) break;
    septets += cost;
    if (cost === 2) escapes++;
  }
  if (i === length) {
    // Only escape pairs can leave a part short of 153 septets; without them plain division is exact.
    const segments = septets <= 160 ? 1 : escapes === 0 ? Math.ceil(septets / 153) : pack(text, 'GSM-7', null);
    return { encoding: 'GSM-7', characters: length, units: septets, segments };
  }
  // UCS-2 from here. Everything before `i` was GSM, hence not a surrogate, so counting pairs can start at i.
  let pairs = 0;
  for (let j = i; j < length - 1; j++) {
    if (isHighSurrogate(text.charCodeAt(j)) && isLowSurrogate(text.charCodeAt(j + 1))) {
      pairs++;
      j++;
    }
  }
  const segments = length <= 70 ? 1 : pairs === 0 ? Math.ceil(length / 67) : pack(text, 'UCS-2', null);
  return { encoding: 'UCS-2', characters: length - pairs, units: length, segments };
}

/** countSegments plus the parts as they would be sent and the characters that forced UCS-2. */
export function analyzeText(text: string): EncodingInfo {
  const count = countSegments(text);
  let parts: string[];
  if (count.segments === 0) parts = [];
  else if (count.segments === 1) parts = [text];
  else {
    parts = [];
    pack(text, count.encoding, parts);
  }
  return { ...count, parts, nonGsmCharacters: count.encoding === 'UCS-2' ? nonGsmCharacters(text) : [] };
}

function nonGsmCharacters(text: string): string[] {
  // Char-code loop rather than for...of: the string iterator allocates a string per character,
  // and most characters of a typical UCS-2 message are GSM and need no string at all.
  const found = new Set<string>();
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (GSM_COST[code] !== 0) continue;
    if (isHighSurrogate(code) && i + 1 < length && isLowSurrogate(text.charCodeAt(i + 1))) {
      found.add(text.slice(i, i + 2));
      i++;
    } else {
      found.add(text[i]!);
    }
  }
  return [...found];
}

/**
 * Splits text into the parts sent with UDH concatenation for the given encoding: one part if it fits
 * a single message, otherwise parts of at most 153 septets / 67 units. Throws a VALIDATION_FAILED
 * AppError when GSM-7 is asked for a character outside the alphabet.
 */
export function splitIntoParts(text: string, encoding: Encoding): string[] {
  if (text.length === 0) return [];
  let units = text.length;
  if (encoding === 'GSM-7') {
    units = 0;
    for (let i = 0; i < text.length; i++) {
      const cost = GSM_COST[text.charCodeAt(i)]!;
      if (cost === 0) throw notEncodable(text, i);
      units += cost;
    }
  }
  if (units <= SEGMENT_LIMITS[encoding].single) return [text];
  const parts: string[] = [];
  pack(text, encoding, parts);
  return parts;
}

/** Unpacked septet values (one per array element), extension characters as 0x1B + value. */
export function encodeGsm7Septets(text: string): number[] {
  const septets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const cost = GSM_COST[code];
    if (cost === 0) throw notEncodable(text, i);
    if (cost === 2) septets.push(GSM_ESCAPE);
    septets.push(GSM_SEPTET[code]!);
  }
  return septets;
}
