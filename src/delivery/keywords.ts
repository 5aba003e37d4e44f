import type { LocalizedText, MessageLanguage } from '../messages/compliance/policy.js';

/**
 * What an inbound SMS means (CONTRACTS.md Part B §1.9, §6.1). A message is a keyword only when the
 * whole message is one: `Stop.`, `  стоп!! `, `STOP 🙏` are; "stop sending me this" is not and
 * classifies as 'other' (Twilio's rule too: "STOP PLEASE" does not trigger).
 *
 * 'other' means "not a keyword", not "not an opt-out": FCC 24-18 (§6.1) treats any clear revocation
 * by reasonable means ("please don't text me anymore", "больше не пишите") as an opt-out as well, and a
 * sender may not insist on one wording. Detecting free-text opt-outs is a later step (a classifier or
 * review queue over the 'other' replies); this module only recognises the keywords.
 */
export type InboundIntent = 'stop' | 'start' | 'help' | 'other';

export const STOP_WORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
  'OPT OUT',
  'СТОП',
  'ОТПИСКА',
  'ОТПИСАТЬСЯ',
  'ОТПИСАТЬ',
];
export const START_WORDS: readonly string[] = ['START', 'UNSTOP', 'YES', 'СТАРТ'];
export const HELP_WORDS: readonly string[] = ['HELP', 'INFO', 'ПОМОЩЬ', 'СПРАВКА'];

/**
 * Cyrillic capitals that look like Latin ones. Both the keywords and the message are reduced to this
 * "skeleton", so a Latin C in "CТОП" or a Cyrillic О in "STОP" still matches. No keyword of one
 * family shares a skeleton with another (tested), and no Latin keyword can be spelt with these letters.
 */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
};

/** Invisible format characters (zero-width space/joiner, BOM, soft hyphen, direction marks). */
const FORMAT_CHARS = /\p{Cf}/gu;
/** Anything that is not a letter or a digit at either end: punctuation, spaces, emoji, quotes. */
const EDGES = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
/** Spaces, dashes and underscores inside: "opt-out", "OPT   OUT" and "opt_out" read as "OPT OUT". */
const INNER_SEPARATORS = /[\s\p{Pd}_]+/gu;
const LOOKALIKE = /[АВЕКМНОРСТХ]/g;

/**
 * The comparable form of a message: NFKC (full-width letters become plain ones), format characters
 * removed, upper case, Ё→Е, edges trimmed of non-letters, inner separators collapsed to one space,
 * Cyrillic look-alikes mapped to Latin.
 */
export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFKC')
    .replace(FORMAT_CHARS, '')
    .toUpperCase()
    .replace(/Ё/g, 'Е')
    .replace(EDGES, '')
    .replace(INNER_SEPARATORS, ' ')
    .replace(LOOKALIKE, (char) => HOMOGLYPHS[char] ?? char);
}

const INTENTS = new Map<string, Exclude<InboundIntent, 'other'>>();
for (const [intent, words] of [
  ['stop', STOP_WORDS],
  ['start', START_WORDS],
  ['help', HELP_WORDS],
] as const) {
  for (const word of words) INTENTS.set(normalizeKeyword(word), intent);
}

/** The keyword intent of an inbound message; 'other' for anything that is not exactly one keyword. */
export function classifyInbound(text: string): InboundIntent {
  return INTENTS.get(normalizeKeyword(text)) ?? 'other';
}

export interface KeywordReplies {
  stop: LocalizedText;
  start: LocalizedText;
  help: LocalizedText;
  /** The answer to a yes to a consent request (double opt-in). */
  consent?: LocalizedText;
}

/**
 * One confirmation per keyword and nothing else: no marketing content (§6.1: one confirmation or
 * clarification text, presumed fine within 5 minutes). Configurable; brands usually add their name
 * and a help contact to `help` (CTIA).
 */
export const DEFAULT_REPLIES: KeywordReplies = {
  stop: {
    ru: 'Вы отписаны от рассылки. Чтобы снова получать сообщения, ответьте СТАРТ.',
    en: 'You are unsubscribed and will get no more messages. Reply START to resubscribe.',
  },
  start: {
    ru: 'Вы снова подписаны. Отказ: СТОП в ответ.',
    en: 'You are subscribed again. Reply STOP to opt out.',
  },
  help: {
    ru: 'Справка: ответьте СТОП, чтобы отписаться.',
    en: 'Help: reply STOP to opt out.',
  },
  consent: {
    ru: 'Спасибо! Вы подписаны на рассылку. Отказ: СТОП в ответ.',
    en: 'Thank you! You are subscribed. Reply STOP to opt out.',
  },
};

/** The reply text for a keyword in the recipient's language. */
export function replyFor(
  intent: Exclude<InboundIntent, 'other'>,
  language: MessageLanguage,
  replies: KeywordReplies = DEFAULT_REPLIES,
): string {
  return replies[intent][language];
}
