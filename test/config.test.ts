import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../src/config.js';

describe('config', () => {
  it('gives working defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ DATA_DIR: './data', DEFAULT_COUNTRY: 'RU', DEFAULT_TIMEZONE: 'Europe/Moscow', STORE_MAX_MB: 200, LOG_LEVEL: 'info' });
  });

  it('treats empty values as unset and normalises the country code', () => {
    expect(loadConfig({ DATA_DIR: '', DEFAULT_COUNTRY: 'kz', DATABASE_URL: '' })).toMatchObject({ DATA_DIR: './data', DEFAULT_COUNTRY: 'KZ' });
  });

  it('reads per-country routes', () => {
    expect(loadConfig({ SMS_ROUTES: 'ru=smsru, KZ = smsru' }).SMS_ROUTES).toEqual({ RU: 'smsru', KZ: 'smsru' });
    expect(() => loadConfig({ SMS_ROUTES: 'Russia:smsru' })).toThrow(/SMS_ROUTES: must be COUNTRY=gateway pairs/);
  });

  it('names every wrong variable and says what to set', () => {
    let error: unknown;
    try {
      loadConfig({ DEFAULT_COUNTRY: 'Russia', DEFAULT_TIMEZONE: 'Moscow', STORE_MAX_MB: '-5', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', hint: expect.stringContaining('.env.example') });
    const message = (error as Error).message;
    for (const name of ['DEFAULT_COUNTRY', 'DEFAULT_TIMEZONE', 'STORE_MAX_MB', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).toContain('IANA time zone');
  });

  it('.env.example documents every variable, each with a comment', () => {
    const example = fs.readFileSync(path.join(import.meta.dirname, '..', '.env.example'), 'utf8').split('\n');
    const documented = example.map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter((name): name is string => Boolean(name));
    // The service's own variables, all documented...
    for (const name of Object.keys(configSchema.shape)) expect(documented, name).toContain(name);
    // ...and every other documented variable is one a gateway adapter reads.
    const gatewaysDir = path.join(import.meta.dirname, '..', 'integrations', 'gateways');
    const gatewaySources = fs.readdirSync(gatewaysDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(gatewaysDir, entry.name, 'config.ts')))
      .map((entry) => fs.readFileSync(path.join(gatewaysDir, entry.name, 'config.ts'), 'utf8'))
      .join('\n');
    for (const name of documented.filter((n) => !(n in configSchema.shape))) expect(gatewaySources, name).toContain(name);
    const read = new Set(gatewaySources.match(/\b(TWILIO|VONAGE|SMSRU|SMPP)_[A-Z_]+\b/g) ?? []);
    for (const name of read) if (!name.endsWith('_GATEWAY_ID')) expect(documented, `${name} is read by a gateway`).toContain(name);
    for (const name of documented) {
      const index = example.findIndex((line) => line.startsWith(`${name}=`));
      expect(example[index - 1]?.startsWith('#'), `${name} has a comment above it`).toBe(true);
    }
  });
});
