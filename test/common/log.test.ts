import { describe, expect, it, vi } from 'vitest';
import { maskPhone, maskPhonesInText } from '../../src/common/mask.js';
import { createLogger, logLineAsText, sanitizeLogValue } from '../../src/log.js';

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

describe('masking never touches ids', () => {
  it('leaves UUIDs, numeric ids, SIDs and keys whole, by field name and inside text', () => {
    const ids = {
      contactId: 'e7369120-4861-4a2b-9d3e-123456789012',
      campaignId: '89341234-4252-4f00-8a00-000000000001',
      hubspotId: '51234567890',
      providerMessageId: 'SM0123456789abcdef0123456789abcdef',
      key: 'SM01234567890:delivered',
    };
    const record = sanitizeLogValue({ ...ids, msg: `campaign ${ids.campaignId} contact ${ids.contactId} sent` }) as Record<string, unknown>;
    for (const [field, id] of Object.entries(ids)) expect(record[field]).toBe(id);
    expect(record.msg).toBe(`campaign ${ids.campaignId} contact ${ids.contactId} sent`);
    expect(maskPhonesInText(`row ${ids.contactId} at 2026-11-27 took 1234567 ms`)).toBe(`row ${ids.contactId} at 2026-11-27 took 1234567 ms`);
  });

  it('masks phones by field name (any shape), as a bare value, and E.164-looking numbers inside text', () => {
    const record = sanitizeLogValue({
      to: '89123456789',
      from: '+1 (415) 555-0100',
      value: '8 912 345 67 89',
      msg: 'reply from +79123456789, forwarded to +44 20 7946 0958.',
    }) as Record<string, unknown>;
    expect(record.to).toBe('8912***6789');
    expect(record.from).toBe('+1415***0100');
    expect(record.value).toBe('8912***6789');
    expect(record.msg).toBe('reply from +7912***6789, forwarded to +4420***0958.');
  });
});

describe('log formats', () => {
  it('turns a JSON log line into a plain sentence with its details, phones still masked', () => {
    const line = JSON.stringify({ level: 40, time: '2026-11-27T10:00:00Z', service: 'sms-bridge', campaignId: 'c-1', error: { type: 'Error', message: 'boom' }, msg: 'gateway keeps failing' });
    expect(logLineAsText(line)).toBe('warning: gateway keeps failing (campaignId: c-1, error: boom)\n');
  });

  it('text form prints warnings as sentences, hides info at the default level, and masks', () => {
    let written = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += chunk.toString();
      return true;
    });
    try {
      const logger = createLogger({ level: 'info', format: 'text' });
      logger.info({ rows: 3 }, 'import finished');
      logger.warn({ to: '+79123456789', campaignId: '89341234-4252-4f00-8a00-000000000001' }, 'could not send');
    } finally {
      spy.mockRestore();
    }
    expect(written).toBe('warning: could not send (to: +7912***6789, campaignId: 89341234-4252-4f00-8a00-000000000001)\n');
  });
});
