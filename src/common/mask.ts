/**
 * Masking for logs and reports: a phone number keeps its country and first digits and its last four,
 * so a person can still tell numbers apart (`+7912***6789`), but never the whole number.
 */
export function maskPhone(value: string): string {
  const trimmed = value.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 7) return trimmed.length <= 2 ? trimmed : `${trimmed.slice(0, 1)}***`;
  const head = trimmed.startsWith('+') ? `+${digits.slice(0, 4)}` : digits.slice(0, 4);
  return `${head}***${digits.slice(-4)}`;
}

// A phone number inside text: a +, then digits with the separators people type between them; or an
// international number without its + as gateways echo it (10 to 15 digits in a row). Never part of a
// longer token (an id such as a UUID, a SID or a hex string): no letter, digit, `_` or `-` may stand
// right before or after it.
const PHONE_IN_TEXT = /(?<![\w+-])(?:\+\d[\d\s().-]{5,}\d|\d{10,15})(?![\w-])/g;
// A whole value that is nothing but a phone number, with or without its +.
const WHOLE_PHONE = /^\+?[\d\s().-]+$/;

const digitCount = (text: string): number => text.replace(/\D/g, '').length;

/** True when the whole value is shaped like a phone number (7 to 15 digits and separators). */
export function looksLikePhone(value: string): boolean {
  const trimmed = value.trim();
  const count = digitCount(trimmed);
  return WHOLE_PHONE.test(trimmed) && count >= 7 && count <= 15;
}

/**
 * Masks every E.164-looking number (`+7 912 345-67-89`, `+14155550100`, `79123456789`) inside free
 * text (log messages, error strings). Ids, dates, codes and counts are left alone: a phone by its
 * shape is a `+`-led number, or a run of 10 to 15 digits, that is not part of a longer token.
 */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => {
    const count = digitCount(match);
    return count >= 7 && count <= 15 ? maskPhone(match) : match;
  });
}
