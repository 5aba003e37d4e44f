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

// A run of 7+ digits, optionally with a leading + and the separators people type between digits.
const PHONE_LIKE = /\+?\d[\d\s().-]{5,}\d/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Masks every phone-like run inside free text (log messages, error strings, row values). */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_LIKE, (match) => {
    if (ISO_DATE.test(match)) return match;
    const digitCount = match.replace(/\D/g, '').length;
    return digitCount >= 7 && digitCount <= 15 ? maskPhone(match) : match;
  });
}
