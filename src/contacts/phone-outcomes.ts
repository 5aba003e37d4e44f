import type { MergeOutcome } from './merge.js';

const CODES: readonly MergeOutcome[] = ['created', 'updated', 'unchanged'];
const E164 = /^\+[1-9]\d{0,14}$/;
const TWO_TO_32 = 4_294_967_296;

/**
 * What an import counted for each phone met in its file, in about 18 bytes a phone instead of the
 * ~100 a `Map<string, …>` entry costs: a file of a million rows keeps a million of them to the end.
 * An E.164 number has at most 15 digits, so its digits are an exact double; the table is open
 * addressing with linear probing, at most half full. Anything not E.164 goes to a plain map.
 */
export class PhoneOutcomes {
  private keys = new Float64Array(1024);
  private codes = new Uint8Array(1024);
  private used = 0;
  private readonly other = new Map<string, MergeOutcome>();

  get size(): number {
    return this.used + this.other.size;
  }

  has(phone: string): boolean {
    return this.get(phone) !== undefined;
  }

  get(phone: string): MergeOutcome | undefined {
    if (!E164.test(phone)) return this.other.get(phone);
    const code = this.codes[this.slot(Number(phone.slice(1)))] ?? 0;
    return code === 0 ? undefined : CODES[code - 1];
  }

  set(phone: string, outcome: MergeOutcome): void {
    if (!E164.test(phone)) {
      this.other.set(phone, outcome);
      return;
    }
    const key = Number(phone.slice(1));
    let slot = this.slot(key);
    if (this.codes[slot] === 0) {
      if ((this.used + 1) * 2 > this.codes.length) {
        this.grow();
        slot = this.slot(key);
      }
      this.used += 1;
      this.keys[slot] = key;
    }
    this.codes[slot] = CODES.indexOf(outcome) + 1;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    const mask = this.codes.length - 1;
    const low = key % TWO_TO_32;
    const high = Math.floor(key / TWO_TO_32);
    const mixed = Math.imul((low ^ Math.imul(high, 0x9e3779b1)) | 0, 0x85ebca6b);
    let slot = ((mixed ^ (mixed >>> 15)) >>> 0) & mask;
    while (this.codes[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const keys = this.keys;
    const codes = this.codes;
    this.keys = new Float64Array(keys.length * 2);
    this.codes = new Uint8Array(codes.length * 2);
    for (let i = 0; i < codes.length; i += 1) {
      const code = codes[i] ?? 0;
      if (code === 0) continue;
      const key = keys[i] ?? 0;
      const slot = this.slot(key);
      this.keys[slot] = key;
      this.codes[slot] = code;
    }
  }
}
