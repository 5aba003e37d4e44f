/**
 * GSM 03.38 default alphabet data. Kept apart from the logic so the tables can be checked against the
 * standard by eye: index in the string = septet value.
 */

/** Septet used as escape into the extension table. */
export const GSM_ESCAPE = 0x1b;

// Basic set, septets 0x00..0x7F. The placeholder at 0x1B is the escape septet; it is deliberately not
// accepted as a character (a literal U+001B in user text would swallow the next character on the
// handset), so the table builder skips it.
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: character -> septet sent after ESC (costs 2 septets). */
const EXTENSION: ReadonlyArray<readonly [string, number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

/**
 * Cost in septets per UTF-16 code unit: 0 = not in GSM-7, 1 = basic set, 2 = extension table.
 * A flat 64 KiB table makes the hot path one indexed load per code unit, with no hashing.
 */
export const GSM_COST: Uint8Array = new Uint8Array(0x10000);

/** Septet value per UTF-16 code unit (the value after ESC for extension characters). */
export const GSM_SEPTET: Uint8Array = new Uint8Array(0x10000);

if (BASIC.length !== 128) throw new Error(`GSM basic table must have 128 entries, has ${BASIC.length}`);
for (let septet = 0; septet < BASIC.length; septet++) {
  if (septet === GSM_ESCAPE) continue;
  const code = BASIC.charCodeAt(septet);
  GSM_COST[code] = 1;
  GSM_SEPTET[code] = septet;
}
for (const [char, septet] of EXTENSION) {
  const code = char.charCodeAt(0);
  GSM_COST[code] = 2;
  GSM_SEPTET[code] = septet;
}

/** True when every character is in the GSM-7 basic or extension table (the empty string is). */
export function isGsm7(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (GSM_COST[text.charCodeAt(i)] === 0) return false;
  }
  return true;
}
