import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiServer } from '../helpers/api-server.js';
import { startApiServer } from '../helpers/api-server.js';
import { cli } from '../helpers/run-cli.js';

const TWILIO = { SMS_GATEWAY: 'twilio', TWILIO_ACCOUNT_SID: `AC${'a1'.repeat(16)}`, TWILIO_AUTH_TOKEN: 'f00dfeedf00dfeedf00dfeedf00dfeed', TWILIO_FROM: '+15017122661', SMS_SENDER: '' };
const CAMPAIGN = { name: 'Spring', kind: 'transactional', audience: { phones: ['+447700900123', '+12025550143'] }, text: 'Your order is ready' };

let srv: ApiServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  vi.unstubAllEnvs();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('the sender a campaign goes out with', () => {
  it('REST: no sender and no SMS_SENDER uses TWILIO_FROM; a name says where US/CA phones will see the number instead', async () => {
    srv = await startApiServer({ env: TWILIO });
    const plain = await srv.api('POST', '/campaigns', CAMPAIGN);
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ sender: '+15017122661', senderNotes: [] });

    const named = await srv.api('POST', '/campaigns', { ...CAMPAIGN, sender: 'Shop' });
    expect(named.status).toBe(201);
    expect(named.body.senderNotes).toEqual(['Twilio cannot show the name "Shop" to US, CA, PR numbers: those messages go from +15017122661 (TWILIO_FROM)']);
    const preview = await srv.api('POST', `/campaigns/${named.body.id}/preview`);
    expect(preview.body.sender).toEqual({ id: 'Shop', notes: named.body.senderNotes });
  });

  it('REST: a name sent to countries that SMS_ROUTES gives Twilio gets the note for those countries', async () => {
    srv = await startApiServer({ env: { ...TWILIO, SMS_GATEWAY: 'simulator', SMS_ROUTES: 'US=twilio,CA=twilio', SMS_SENDER: 'Shop' } });
    const created = await srv.api('POST', '/campaigns', CAMPAIGN);
    expect(created.status).toBe(201);
    expect(created.body.senderNotes).toEqual(['US, CA (SMS_ROUTES → twilio): Twilio cannot show the name "Shop" to US, CA, PR numbers: those messages go from +15017122661 (TWILIO_FROM)']);
    const onSimulatorOnly = await srv.api('POST', '/campaigns', { ...CAMPAIGN, gateway: 'simulator' });
    expect(onSimulatorOnly.body.senderNotes).toEqual([]);
  });

  it('REST: without any sender configured the create is refused, naming what to set', async () => {
    srv = await startApiServer({ env: { SMS_SENDER: '' } });
    const refused = await srv.api('POST', '/campaigns', CAMPAIGN);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('No sender id');
    expect(refused.body.hint).toContain('SMS_SENDER');
    expect(refused.body.hint).toContain('TWILIO_FROM');
  });

  it('CLI: campaign create and preview say where phones will not show the name', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-sender-'));
    for (const [name, value] of Object.entries({ ...TWILIO, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' })) vi.stubEnv(name, value);
    const flags = ['--to', '+447700900123,+12025550143', '--text', 'Your order is ready', '--kind', 'transactional'];
    const created = await cli('campaign', 'create', '--name', 'Spring', ...flags, '--sender', 'Shop', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ sender: 'Shop', senderNotes: [expect.stringContaining('those messages go from +15017122661 (TWILIO_FROM)')] });
    const text = await cli('campaign', 'create', '--name', 'Spring', ...flags, '--sender', 'Shop');
    expect(text.stdout).toContain('Note: Twilio cannot show the name "Shop" to US, CA, PR numbers');
    const preview = await cli('campaign', 'preview', ...flags, '--json');
    expect(JSON.parse(preview.stdout).sender).toEqual({ id: '+15017122661', notes: [] });
  });
});
