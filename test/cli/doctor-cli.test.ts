import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gatewaysInUse } from '../../src/cli/commands/doctor.js';
import { loadConfig } from '../../src/config.js';
import { cli } from '../helpers/run-cli.js';

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-doctor-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('DATABASE_URL', '');
  for (const name of Object.keys(process.env).filter((n) => /^(TWILIO|VONAGE|SMSRU|SMPP)_/.test(n) || ['API_KEY', 'SMS_ROUTES', 'SMS_FAILOVER_GATEWAY', 'SMS_GATEWAY'].includes(n))) vi.stubEnv(name, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  warning?: boolean;
}
const doctor = async (): Promise<{ code: number; ok: boolean; checks: Check[] }> => {
  const result = await cli('doctor', '--json');
  return { code: result.code, ...(JSON.parse(result.stdout) as { ok: boolean; checks: Check[] }) };
};

describe('smsbridge doctor', () => {
  it('says that serve will refuse to start without API_KEY, as a warning that does not fail the CLI', async () => {
    const without = await doctor();
    expect(without.code).toBe(0);
    expect(without.checks).toContainEqual(expect.objectContaining({ name: 'api key', warning: true, detail: expect.stringContaining('`smsbridge serve` will refuse to start: API_KEY is not set') }));
    const text = await cli('doctor');
    expect(text.stdout).toMatch(/^warn {2}api key .*serve` will refuse to start/m);

    vi.stubEnv('API_KEY', 'k'.repeat(24));
    const withKey = await doctor();
    expect(withKey.checks).toContainEqual(expect.objectContaining({ name: 'api key', ok: true, detail: expect.stringContaining('API_KEY is set') }));
    expect(JSON.stringify(withKey)).not.toContain('k'.repeat(24));
  });

  it('checks a gateway named only in SMS_ROUTES, and fails naming the variables to set', async () => {
    vi.stubEnv('SMS_ROUTES', 'RU=twilio');
    const result = await doctor();
    expect(result.code).toBe(1);
    const twilio = result.checks.find((c) => c.name === 'gateway twilio');
    expect(twilio).toMatchObject({ ok: false });
    expect(twilio?.detail).toContain('TWILIO_ACCOUNT_SID');
    expect(twilio?.detail).toContain('TWILIO_AUTH_TOKEN');
    expect(twilio?.detail).toContain('(used by SMS_ROUTES RU)');
    expect(result.checks).toContainEqual(expect.objectContaining({ name: 'gateway simulator', ok: true }));
  });

  it('checks the failover gateway too', async () => {
    vi.stubEnv('SMS_FAILOVER_GATEWAY', 'vonage');
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(result.checks.find((c) => c.name === 'gateway vonage')).toMatchObject({ ok: false, detail: expect.stringContaining('VONAGE_API_KEY') });
  });

  it('lists each gateway in use once, with everything that uses it', () => {
    const config = loadConfig({ DATA_DIR: dataDir, SMS_GATEWAY: 'smsru', SMS_ROUTES: 'RU=smsru,KZ=smsru,US=twilio', SMS_FAILOVER_GATEWAY: 'twilio' });
    expect(gatewaysInUse(config)).toEqual([
      { name: 'smsru', usedBy: ['SMS_GATEWAY', 'SMS_ROUTES RU', 'SMS_ROUTES KZ'] },
      { name: 'twilio', usedBy: ['SMS_ROUTES US', 'SMS_FAILOVER_GATEWAY'] },
    ]);
  });
});
