import { describe, expect, it } from 'vitest';
import { checkSenderId, validateSenderId } from '../../../src/messages/compliance/sender-id.js';

describe('validateSenderId', () => {
  it.each([
    ['Shop', 'alphanumeric'],
    ['A', 'alphanumeric'],
    ['ABCDEFGHIJK', 'alphanumeric'],
    ['MY-SHOP_1', 'alphanumeric'],
    ['A&B Co.', 'alphanumeric'],
    ['1000Dreams', 'alphanumeric'],
    ['+79123456789', 'numeric'],
    ['+1234567', 'numeric'],
    ['+123456789012345', 'numeric'],
    ['123', 'shortcode'],
    ['12345678', 'shortcode'],
  ])('%j is %s', (sender, kind) => {
    expect(validateSenderId(sender)).toEqual({ ok: true, kind });
  });

  it.each([
    ['', /empty.*1–11 characters/],
    ['ABCDEFGHIJKL', /12 characters long.*1–11 characters/],
    ['Магазин', /no Latin letter/],
    ['12.34', /no Latin letter/],
    ['Shop!', /characters a sender name cannot carry.*space \. - _ &/],
    [' Shop', /starts or ends with a space/],
    ['Shop ', /starts or ends with a space/],
    ['+0123456789', /not an E\.164 number/],
    ['+123456', /not an E\.164 number.*7–15 digits/],
    ['+1234567890123456', /not an E\.164 number/],
    ['+7 912 345', /not an E\.164 number/],
    ['12', /2 digits.*3–8 digits/],
    ['79123456789', /11 digits.*3–8 digits.*E\.164/],
  ])('%j is refused and the reason says what is allowed', (sender, reason) => {
    const result = validateSenderId(sender);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('checkSenderId', () => {
  it('applies the policy list of allowed kinds', () => {
    expect(checkSenderId('Shop', ['alphanumeric'])).toEqual({ ok: true, kind: 'alphanumeric' });
    const refused = checkSenderId('1234', ['alphanumeric', 'numeric']);
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(/shortcode.*not allowed.*alphanumeric, numeric/) });
    expect(checkSenderId('Shop!', ['alphanumeric']).ok).toBe(false);
  });
});
