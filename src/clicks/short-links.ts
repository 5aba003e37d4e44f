/**
 * Tracked links: every http(s) link in a campaign text is sent as a short link of this service,
 * `<base>/s/<code>`, one code per link per message.
 *
 * Codes are 10 characters of base62 drawn from the operating system's CSPRNG (59.5 bits): with ten
 * million live links, a guessed code hits one with a chance of about 1 in 10^11, so codes can be
 * neither enumerated nor guessed. A random code (rather than a message reference signed with a
 * secret) keeps the short link short and needs no secret that, once leaked or rotated, would break
 * or expose every link sent; the price is one stored record per link, looked up by code.
 */
import { randomBytes } from 'node:crypto';

export const CODE_LENGTH = 10;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Bytes at or above this are dropped, so each of the 62 characters is equally likely (248 = 4 × 62). */
const UNBIASED_BELOW = 248;
const CODE_SHAPE = /^[0-9A-Za-z]{10}$/;

/** A code generator drawing from a pool of CSPRNG bytes (one system call per few hundred codes). */
export function createCodeGenerator(random: (size: number) => Uint8Array = randomBytes): () => string {
  let pool: Uint8Array = new Uint8Array(0);
  let at = 0;
  return () => {
    let code = '';
    while (code.length < CODE_LENGTH) {
      if (at >= pool.length) {
        pool = random(4096);
        at = 0;
      }
      const byte = pool[at++] as number;
      if (byte < UNBIASED_BELOW) code += ALPHABET[byte % 62];
    }
    return code;
  };
}

/** Could this be a code at all? Anything else is a 404 without a lookup. */
export function isCodeShaped(text: string): boolean {
  return CODE_SHAPE.test(text);
}

/** The short link's prefix for a base URL: `https://sms.example/` → `https://sms.example/s/`. */
export function shortLinkPrefix(base: string): string {
  return `${base.replace(/\/+$/, '')}/s/`;
}

export interface FoundLink {
  start: number;
  end: number;
  url: string;
}

// Up to whitespace, quotes, angle brackets and mustache braces; trailing sentence punctuation is trimmed.
const LINK = /https?:\/\/[^\s<>"{}]+/gi;
const TRAILING = /[.,;:!?'»…]+$/;

/**
 * The links of a campaign text. A link running into a `{{variable}}` (`https://shop.example/?id={{id}}`)
 * differs per recipient and is left as written (not tracked); one merely followed by a section tag
 * (`{{/vip}}`) is tracked.
 */
export function findLinks(text: string): FoundLink[] {
  const found: FoundLink[] = [];
  for (const match of text.matchAll(LINK)) {
    let url = match[0].replace(TRAILING, '');
    // A closing parenthesis belongs to the link only when the link opened one: "(see https://a.ru/x)".
    if (url.endsWith(')') && !url.includes('(')) url = url.slice(0, -1);
    const start = match.index;
    const end = start + url.length;
    const next = text.slice(end, end + 3);
    if (url.length === match[0].length && next.startsWith('{{') && !/^\{\{[#^/!]/.test(next)) continue;
    // A host with at least one letter or digit (Cyrillic domains too): "https://" alone is no link.
    if (/^https?:\/\/[^/?#]*[\p{L}\p{N}]/iu.test(url)) found.push({ start, end, url });
  }
  return found;
}

/** Marks link `i` inside a template text; rendered through mustache unchanged, then replaced per recipient. */
const MARK = '\u0000';
const MARK_END = '\u0001';

/** The template text with each found link replaced by its marker. */
export function markLinks(text: string, links: readonly FoundLink[]): string {
  let out = '';
  let from = 0;
  links.forEach((link, i) => {
    out += `${text.slice(from, link.start)}${MARK}${i}${MARK_END}`;
    from = link.end;
  });
  return out + text.slice(from);
}

export interface PlacedLink {
  code: string;
  url: string;
}

/**
 * Replaces the markers of a rendered text by short links, one fresh code each; returns the text and
 * the links placed (in order). No marker (a section left the link out): the text as it is.
 */
export function placeLinks(rendered: string, urls: readonly string[], prefix: string, newCode: () => string): { text: string; links: PlacedLink[] } {
  const parts = rendered.split(MARK);
  if (parts.length === 1) return { text: rendered, links: [] };
  let text = parts[0] as string;
  const links: PlacedLink[] = [];
  for (let p = 1; p < parts.length; p += 1) {
    const part = parts[p] as string;
    const close = part.indexOf(MARK_END);
    const url = urls[Number(part.slice(0, close))] as string;
    const code = newCode();
    links.push({ code, url });
    text += prefix + code + part.slice(close + 1);
  }
  return { text, links };
}
