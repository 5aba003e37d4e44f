import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { cli } from '../helpers/run-cli.js';
import { startHubSpotStandIn, type HubSpotStandIn } from '../helpers/hubspot-stand-in.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const CONTACTS = 4000;
let standIn: HubSpotStandIn;
let dataDir: string;
let onPage: ((after: string | null) => void) | undefined;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-hubspot-crash-'));
  standIn = await startHubSpotStandIn({
    delayMs: 80,
    contacts: Array.from({ length: CONTACTS }, (_, i) => ({ id: String(1000 + i), updatedAt: '2026-04-01T00:00:00.000Z', properties: { mobilephone: `+7912${String(i).padStart(7, '0')}`, sms_consent: 'opted_in' } })),
    onRequest: ({ path: requestPath, query }) => {
      if (requestPath === '/crm/v3/objects/contacts' && query.get('archived') !== 'true') onPage?.(query.get('after'));
    },
  });
});
afterAll(async () => {
  await standIn.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('hubspot sync killed mid-run', () => {
  it('resumes from its last checkpoint: nothing skipped, nothing doubled', async () => {
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEFAULT_COUNTRY: 'RU', HUBSPOT_ACCESS_TOKEN: 'pat-na1-crash', HUBSPOT_API_BASE: standIn.url };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'hubspot', 'sync', '--json'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pages = 0;
    // Past the first 2-second checkpoint, well before the 40th and last page.
    onPage = () => {
      if (++pages === 34) child.kill('SIGKILL');
    };
    await once(child, 'exit');
    expect(child.signalCode).toBe('SIGKILL');

    const resumedAt: Array<string | null> = [];
    onPage = (after) => resumedAt.push(after);
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('DEFAULT_COUNTRY', 'RU');
    vi.stubEnv('HUBSPOT_ACCESS_TOKEN', 'pat-na1-crash');
    vi.stubEnv('HUBSPOT_API_BASE', standIn.url);
    try {
      const result = await cli('hubspot', 'sync', '--json');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ resumed: true, mode: 'full' });
      expect(resumedAt[0]).not.toBeNull();
      expect(summary.fetched).toBeLessThan(CONTACTS);
    } finally {
      vi.unstubAllEnvs();
    }
    const store = await LowdbStore.open({ dataDir, maxBytes: 100 * 1024 * 1024, readOnly: true });
    try {
      expect(await store.contacts.count()).toBe(CONTACTS);
      const ids = new Set<string>();
      for await (const page of store.contacts.scan()) for (const c of page) ids.add(c.crm?.id ?? '');
      expect(ids.size).toBe(CONTACTS);
      // One consent state per contact: no entry left pointing at a contact the replay created anew.
      expect((await store.consent.summary()).optedIn).toBe(CONTACTS);
    } finally {
      await store.close();
    }
  }, 30_000);
});
