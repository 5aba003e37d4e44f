import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiServer } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';
import { cli } from '../helpers/run-cli.js';

let dir: string;
const csv = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('opt-outs stick (CLI)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-sticks-'));
    vi.stubEnv('DATA_DIR', path.join(dir, 'data'));
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('DATABASE_URL', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an operator opt-out survives an import whose consent column says yes; the report counts the row kept opted out', async () => {
    const file = csv('a.csv', 'phone,consent\n+79123456789,yes\n+79123456790,yes\n');
    await cli('import', file);
    expect((await cli('contacts', 'opt-out', '+79123456789', '--scope', 'marketing')).code).toBe(0);
    const again = JSON.parse((await cli('import', file, '--json')).stdout);
    expect(again.consent).toEqual({ optedIn: 0, optedOut: 0, keptOptedOut: 1 });
    const shown = JSON.parse((await cli('contacts', 'show', '+79123456789', '--json')).stdout);
    expect(shown.consent).toMatchObject({ marketing: 'opted_out', optedOutBy: 'operator' });
    const text = await cli('import', file);
    expect(text.stdout).toContain('1 kept opted out');
  });

  it('--by recipient records the customer\'s own request, locked like STOP; only --evidence lifts it', async () => {
    await cli('import', csv('b.csv', 'phone\n+79123456789\n'));
    const out = JSON.parse((await cli('contacts', 'opt-out', '+79123456789', '--by', 'recipient', '--source', 'asked by e-mail', '--json')).stdout);
    expect(out.consent).toMatchObject({ transactionalAllowed: false, lockedByRecipient: true, optedOutBy: 'recipient' });
    expect((await cli('contacts', 'show', '+79123456789')).stdout).toContain('opted out of everything (by the recipient)');
    const refused = await cli('contacts', 'opt-in', '+79123456789', '--source', 'call');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('opted out themselves');
    expect((await cli('contacts', 'opt-in', '+79123456789', '--source', 'call', '--evidence', 'signed form 9')).stdout).toContain('now opted in');
    const history = JSON.parse((await cli('contacts', 'show', '+79123456789', '--json')).stdout).consentHistory;
    expect(history.map((e: { origin: string }) => e.origin)).toEqual(['recipient', 'operator']);
    expect((await cli('contacts', 'opt-out', '+79123456789', '--by', 'someone')).code).not.toBe(0);
  });
});

describe('opt-outs stick (REST)', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const upload = async (body: string): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON report
    const res = await fetch(`${server.base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' }, body });
    return { status: res.status, body: await res.json() };
  };

  it('a REST opt-out (either kind) is never lifted by an upload; `by` is validated', async () => {
    await upload('phone,согласие\n+79123456789,да\n+79123456790,да\n');
    expect((await server.api('POST', '/contacts/%2B79123456789/opt-out', { by: 'recipient', source: 'phoned the shop' })).body.consent).toMatchObject({ lockedByRecipient: true, optedOutBy: 'recipient' });
    expect((await server.api('POST', '/contacts/%2B79123456790/opt-out', { scope: 'marketing' })).body.consent).toMatchObject({ optedOutBy: 'operator' });
    const report = await upload('phone,согласие\n+79123456789,да\n+79123456790,да\n');
    expect(report.body.consent).toEqual({ optedIn: 0, optedOut: 0, keptOptedOut: 2 });
    for (const phone of ['%2B79123456789', '%2B79123456790']) expect((await server.api('GET', `/contacts/${phone}`)).body.consent.marketing).toBe('opted_out');
    expect((await server.api('POST', '/contacts/%2B79123456790/opt-out', { by: 'nobody' })).status).toBe(400);
  });
});
