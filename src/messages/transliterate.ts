/**
 * gsmSafeText and its tables: typographic punctuation that word processors and CRMs insert (one such
 * character turns a whole message into UCS-2 and cuts its capacity from 160 to 70), accent stripping,
 * and a Russian Cyrillic -> Latin transliteration for senders who opt into it. Re-exported from
 * encoding.ts, which is the module callers import.
 */
import { GSM_COST, isGsm7 } from './gsm-alphabet.js';

export interface GsmSafeResult {
  text: string;
  /** Distinct substitutions made, in order of first appearance ('' as `to` means removed). */
  replaced: Array<{ from: string; to: string }>;
  /** Distinct characters still outside GSM-7 (emoji, untransliterated scripts, ...). */
  remaining: string[];
}

/** Typographic characters with a plain GSM-7 stand-in. '' means "drop it". */
export const PUNCTUATION_REPLACEMENTS: ReadonlyMap<string, string> = new Map<string, string>([
  // Quotes and primes.
  ['\u2018', "'"], ['\u2019', "'"], ['\u201A', "'"], ['\u201B', "'"], ['\u2032', "'"],
  ['\u2039', "'"], ['\u203A', "'"], ['`', "'"], ['\u00B4', "'"],
  ['\u201C', '"'], ['\u201D', '"'], ['\u201E', '"'], ['\u201F', '"'], ['\u2033', '"'],
  ['\u00AB', '"'], ['\u00BB', '"'],
  // Hyphens, dashes, minus sign.
  ['\u2010', '-'], ['\u2011', '-'], ['\u2012', '-'], ['\u2013', '-'], ['\u2014', '-'], ['\u2015', '-'],
  ['\u2212', '-'],
  ['\u2026', '...'],
  ['\u2022', '-'],
  ['\u2116', 'No.'],
  // Tab is not in GSM-7 but is common in pasted CRM text.
  ['\t', ' '],
  // Non-breaking and other fixed-width spaces.
  ['\u00A0', ' '], ['\u202F', ' '], ['\u205F', ' '], ['\u3000', ' '],
  ['\u2000', ' '], ['\u2001', ' '], ['\u2002', ' '], ['\u2003', ' '], ['\u2004', ' '], ['\u2005', ' '],
  ['\u2006', ' '], ['\u2007', ' '], ['\u2008', ' '], ['\u2009', ' '], ['\u200A', ' '],
  // Invisible characters: zero-width space/non-joiner, word joiner, BOM, soft hyphen.
  // U+200D (zero-width joiner) is handled by the caller because it also glues emoji sequences.
  ['\u200B', ''], ['\u200C', ''], ['\u2060', ''], ['\uFEFF', ''], ['\u00AD', ''],
  // Latin letters that do not decompose under NFKD.
  ['œ', 'oe'], ['Œ', 'OE'], ['ł', 'l'], ['Ł', 'L'], ['đ', 'd'], ['Đ', 'D'], ['ı', 'i'],
  ['þ', 'th'], ['Þ', 'Th'], ['ð', 'd'], ['Ð', 'D'],
]);

/**
 * Practical SMS transliteration of Russian, in the simplified BGN/PCGN style people read without
 * instruction (zh, kh, ts, ch, sh, shch, yu, ya; hard and soft signs dropped; ё and э as e, й as y).
 * Chosen over GOST 7.79-2000 system B (cz, shh, y', e`) whose apostrophes and backticks look broken
 * on a phone, and over the ICAO passport scheme (iu, ia, ie) which reads oddly in marketing text.
 * A few Ukrainian/Belarusian letters are included because they appear in the same contact lists.
 */
const CYRILLIC: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k',
  л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts',
  ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  і: 'i', ї: 'yi', є: 'ye', ґ: 'g', ў: 'u',
};

const LETTER = /\p{L}/u;

function isUpperLetter(char: string | undefined): boolean {
  return char !== undefined && LETTER.test(char) && char !== char.toLowerCase();
}

/**
 * An uppercase letter with a multi-letter Latin form is written all caps inside an all-caps word
 * ("ЩИ" -> "SHCHI", "СТОП" -> "STOP") and title-case otherwise ("Жанна" -> "Zhanna", "Ж" -> "Zh").
 * The next letter decides; at the end of a word the previous one does.
 */
function inAllCapsWord(chars: readonly string[], index: number): boolean {
  const next = chars[index + 1];
  if (next !== undefined && LETTER.test(next)) return isUpperLetter(next);
  return isUpperLetter(chars[index - 1]);
}

/**
 * Latin for the Cyrillic letter at `index` of a code-point array, or undefined if it is not one we
 * transliterate. Context is needed only for the case of multi-letter outputs.
 */
export function transliterateCyrillicAt(chars: readonly string[], index: number): string | undefined {
  const char = chars[index];
  if (char === undefined) return undefined;
  const lower = char.toLowerCase();
  const latin = CYRILLIC[lower];
  if (latin === undefined) return undefined;
  if (char === lower || latin.length === 0) return latin;
  if (latin.length === 1 || inAllCapsWord(chars, index)) return latin.toUpperCase();
  return latin.charAt(0).toUpperCase() + latin.slice(1);
}

const COMBINING_MARK = /^\p{Mn}$/u;
const VARIATION_SELECTOR = /^[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const ZERO_WIDTH_JOINER = '\u200D';

function substitute(chars: readonly string[], index: number, transliterate: boolean): string | undefined {
  const char = chars[index]!;
  const mapped = PUNCTUATION_REPLACEMENTS.get(char);
  if (mapped !== undefined) return mapped;
  if (char === ZERO_WIDTH_JOINER) {
    // Inside an emoji ZWJ sequence (👩‍💻) the joiner is part of the emoji, which we never touch.
    const next = chars[index + 1];
    return next !== undefined && PICTOGRAPHIC.test(next) ? undefined : '';
  }
  if (transliterate) {
    const latin = transliterateCyrillicAt(chars, index);
    if (latin !== undefined) return latin;
  }
  // Compatibility forms first (full-width letters, ligatures, ™), then accents stripped (á -> a, ç -> c).
  const compatible = char.normalize('NFKC');
  if (compatible !== char && isGsm7(compatible)) return compatible;
  const stripped = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (stripped.length > 0 && isGsm7(stripped)) return stripped;
  // A stray combining accent that did not compose with its base letter; variation selectors stay
  // because they belong to emoji.
  if (COMBINING_MARK.test(char) && !VARIATION_SELECTOR.test(char)) return '';
  return undefined;
}

/**
 * Rewrites text towards GSM-7 so a message keeps 160 characters per SMS instead of 70: typographic
 * punctuation and spaces become ASCII, invisible characters go, accented letters GSM lacks lose the
 * accent (those GSM has are kept), and with `transliterate` Russian becomes Latin. Emoji are never
 * replaced; what is left outside GSM-7 is listed in `remaining`. The input is NFC-normalised first so a
 * decomposed "é" (e + U+0301) is recognised as the GSM letter.
 */
export function gsmSafeText(text: string, options: { transliterate?: boolean } = {}): GsmSafeResult {
  const transliterate = options.transliterate ?? false;
  const chars = Array.from(text.normalize('NFC'));
  const replaced = new Map<string, string>();
  const remaining = new Set<string>();
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char.length === 1 && GSM_COST[char.charCodeAt(0)] !== 0) {
      out += char;
      continue;
    }
    const substitution = substitute(chars, i, transliterate);
    if (substitution === undefined) {
      out += char;
      remaining.add(char);
      continue;
    }
    out += substitution;
    if (!replaced.has(char)) replaced.set(char, substitution);
  }
  return {
    text: out,
    replaced: [...replaced].map(([from, to]) => ({ from, to })),
    remaining: [...remaining],
  };
}
