import { describe, expect, it } from 'vitest';
import { maskPhone, maskPhonesInText } from '../../src/common/mask.js';
import { sanitizeLogValue } from '../../src/log.js';

describe('masking', () => {
  it('masks an E.164 number to its first digits and last four', () => {
    expect(maskPhone('+79123456789')).toBe('+7912***6789');
    expect(maskPhone('8 (912) 345-67-89')).toBe('8912***6789');
  });

  it('masks numbers inside free text and leaves short numbers and dates alone', () => {
    expect(maskPhonesInText('send to +7 912 345 67 89 failed (code 21610) on 2026-11-27')).toBe('send to +7912***6789 failed (code 21610) on 2026-11-27');
  });

  it('hides secrets by key and masks phones at any depth of a log record', () => {
    const record = sanitizeLogValue({
      msg: 'sent',
      to: '+79123456789',
      auth: { apiKey: 'k-123', TWILIO_AUTH_TOKEN: 'abc', password: 'p' },
      items: [{ phone: '+4915123456789' }],
      error: new Error('bad number +79123456789'),
    }) as Record<string, unknown>;
    const text = JSON.stringify(record);
    for (const secret of ['k-123', 'abc', '"p"', '79123456789', '4915123456789']) expect(text).not.toContain(secret);
    expect(record.to).toBe('+7912***6789');
    expect(record.auth).toEqual({ apiKey: '[secret]', TWILIO_AUTH_TOKEN: '[secret]', password: '[secret]' });
  });
});
