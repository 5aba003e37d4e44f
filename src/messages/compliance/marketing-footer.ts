import type { LocalizedText, MessageLanguage } from './policy.js';

/**
 * The marketing footer: an ad label ("Реклама" marking, CONTRACTS.md Part B §6.2) and opt-out
 * instructions (§6.1 CTIA: STOP in every marketing program; §6.3: an easy objection in every
 * message), each appended only when the text does not already carry it.
 *
 * Format: the text (trailing whitespace dropped), a line feed, then the missing parts joined by
 * ". " (just a space after a label that ends in punctuation) — "…\nРеклама. Отказ: СТОП в ответ",
 * "…\nAd", "…\nReply STOP to opt out". A line feed costs one unit in both GSM-7 and UCS-2 and
 * keeps the footer visibly apart from the offer.
 */

export type FooterPart = 'ad_label' | 'opt_out';

export interface FooterOptions {
  language: MessageLanguage;
  /** Labels per language; a label in any of them counts as present. */
  adLabel: LocalizedText;
  optOutText: LocalizedText;
}

/** Not a letter or digit on either side: "реклама" matches in "Реклама:" but not in "рекламации". */
const BEFORE = '(?<![\\p{L}\\p{N}])';
const AFTER = '(?![\\p{L}\\p{N}])';

/**
 * Opt-out wording as whole words: STOP/СТОП, any form of "отписаться"/"отписка" (отпишитесь,
 * отписки), unsubscribe(d), opt out / opt-out / optout (§6.1 revocation words, §6.5 item 3).
 */
const OPT_OUT = new RegExp(`${BEFORE}(?:stop|стоп|отпис\\p{L}*|unsubscrib\\p{L}*|opt[\\s-]?out)${AFTER}`, 'iu');

const labelPatterns = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function labelPattern(labels: LocalizedText): RegExp {
  const key = `${labels.ru}\n${labels.en}`;
  let pattern = labelPatterns.get(key);
  if (pattern === undefined) {
    const words = [labels.ru, labels.en].map((label) => escapeRegExp(label.trim()));
    pattern = new RegExp(`${BEFORE}(?:${words.join('|')})${AFTER}`, 'iu');
    if (labelPatterns.size >= 100) labelPatterns.clear();
    labelPatterns.set(key, pattern);
  }
  return pattern;
}

export function hasAdLabel(text: string, labels: LocalizedText): boolean {
  return labelPattern(labels).test(text);
}

export function hasOptOut(text: string, optOutText?: LocalizedText): boolean {
  if (OPT_OUT.test(text)) return true;
  if (optOutText === undefined) return false;
  const lower = text.toLowerCase();
  return [optOutText.ru, optOutText.en].some((phrase) => lower.includes(phrase.trim().toLowerCase()));
}

export function applyMarketingFooter(text: string, options: FooterOptions): { text: string; added: FooterPart[] } {
  const added: FooterPart[] = [];
  const parts: string[] = [];
  if (!hasAdLabel(text, options.adLabel)) {
    added.push('ad_label');
    parts.push(options.adLabel[options.language].trim());
  }
  if (!hasOptOut(text, options.optOutText)) {
    added.push('opt_out');
    parts.push(options.optOutText[options.language].trim());
  }
  if (parts.length === 0) return { text, added };
  const body = text.trimEnd();
  // "Рекл." + "Отказ…" reads "Рекл. Отказ…", not "Рекл.. Отказ…".
  const footer = parts.reduce((joined, part) => (joined === '' ? part : /[.!?:]$/u.test(joined) ? `${joined} ${part}` : `${joined}. ${part}`), '');
  return { text: body === '' ? footer : `${body}\n${footer}`, added };
}

const CYRILLIC = /\p{Script=Cyrillic}/u;

/** Russian for Cyrillic text or a +7 number (Russia, Kazakhstan), English otherwise. */
export function messageLanguage(text: string, phone: string): MessageLanguage {
  return CYRILLIC.test(text) || phone.startsWith('+7') ? 'ru' : 'en';
}
