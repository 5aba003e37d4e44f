import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/run-cli.js';
import { startApiServer } from '../helpers/api-server.js';
import { startHubSpotStandIn, type HubSpotStandIn, type StandInList } from '../helpers/hubspot-stand-in.js';

const FIRSTNAME_J: StandInList = {
  listId: '1', name: 'Example List 1', processingType: 'DYNAMIC', members: ['101', '103'],
  filterBranch: { filterBranchOperator: 'OR', filterBranchType: 'OR', filterBranches: [{ filterBranchOperator: 'AND', filterBranchType: 'AND', filters: [{ filterType: 'PROPERTY', operation: { includeObjectsWithNoValueSet: false, operationType: 'MULTISTRING', operator: 'CONTAINS', values: ['j'] }, property: 'firstname' }] }] },
};
const MANUAL: StandInList = { listId: '2', name: 'VIP by hand', processingType: 'MANUAL', members: ['102'] };

let standIn: HubSpotStandIn;
let dataDir: string;

beforeAll(async () => {
  standIn = await startHubSpotStandIn({
    contacts: [
      { id: '101', updatedAt: '2026-04-01T00:00:00.000Z', properties: { firstname: 'John', mobilephone: '+13125550101', sms_consent: 'opted_in' } },
      { id: '102', updatedAt: '2026-04-01T00:00:00.000Z', properties: { firstname: 'Ann', mobilephone: '+13125550102', sms_consent: 'opted_out' } },
      { id: '103', updatedAt: '2026-04-01T00:00:00.000Z', properties: { firstname: 'Jo', phone: '(312) 555-0103' } },
      { id: '104', updatedAt: '2026-04-01T00:00:00.000Z', properties: { firstname: 'Nobody' } },
    ],
    lists: [FIRSTNAME_J, MANUAL],
    scopes: ['crm.objects.contacts.read', 'crm.lists.read'],
  });
});
afterAll(() => standIn.close());

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-hubspot-cli-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('DEFAULT_COUNTRY', 'US');
  vi.stubEnv('HUBSPOT_ACCESS_TOKEN', 'pat-na1-cli-test');
  vi.stubEnv('HUBSPOT_API_BASE', standIn.url);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('smsbridge hubspot (against a local HubSpot stand-in)', () => {
  it('setup creates the missing contact properties once, then says they are there', async () => {
    const first = await cli('hubspot', 'setup');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created\s+sms_consent\n.*created\s+sms_consent_updated_at\n.*created\s+sms_last_status/s);
    const again = await cli('hubspot', 'setup', '--json');
    expect(JSON.parse(again.stdout).properties.map((p: { outcome: string }) => p.outcome)).toEqual(['exists', 'exists', 'exists']);
  });

  it('sync --json prints the summary the issue names; a second sync is incremental', async () => {
    const result = await cli('hubspot', 'sync', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    for (const key of ['fetched', 'created', 'updated', 'skipped', 'consentChanges', 'requests', 'rateLimited', 'seconds']) expect(summary).toHaveProperty(key);
    expect(summary).toMatchObject({ mode: 'full', fetched: 4, created: 3, skipped: { total: 1, reasons: { no_phone: 1 } }, consentChanges: { optedIn: 1, optedOut: 1 }, rateLimited: 0 });
    const next = JSON.parse((await cli('hubspot', 'sync', '--json')).stdout);
    expect(next).toMatchObject({ mode: 'incremental', created: 0 });
    const text = await cli('hubspot', 'sync', '--full');
    expect(text.stdout).toContain('Full sync: 4 contacts fetched');
  });

  it('doctor names the scopes the token lacks', async () => {
    const result = await cli('doctor');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+hubspot\s+portal 12345, missing scopes: crm\.objects\.contacts\.write, crm\.schemas\.contacts\.write/);
  });

  it('segment from-hubspot-list saves a translated list, or the members with the reason, and preview shows it', async () => {
    await cli('hubspot', 'sync');
    const saved = await cli('segment', 'from-hubspot-list', '1', '--json');
    expect(JSON.parse(saved.stdout)).toMatchObject({ segment: { name: 'hubspot-list-1' }, mode: 'filters', reasons: [] });
    const preview = await cli('segment', 'preview', 'hubspot-list-1', '--json');
    expect(JSON.parse(preview.stdout)).toMatchObject({ count: 2 });

    const manual = await cli('segment', 'from-hubspot-list', '2', '--name', 'vip');
    expect(manual.stdout).toContain('Saved segment "vip".');
    const text = await cli('segment', 'preview', 'vip');
    expect(text.stdout).toContain('filters not used: the list is MANUAL: its members are chosen by hand, not by its filters');
    expect(text.stdout).toContain('1 of 3 contacts match.');
    expect((await cli('segment', 'from-hubspot-list', '999')).stderr).toContain('HubSpot refused reading list 999 (HTTP 404)');
  });

  it('the REST API takes list:<id> as a campaign audience and a preview', async () => {
    await cli('hubspot', 'sync');
    const server = await startApiServer({ dataDir, env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-cli-test', HUBSPOT_API_BASE: standIn.url, DEFAULT_COUNTRY: 'US' } });
    try {
      const preview = await server.api('GET', '/segments/list:2/preview');
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ name: 'list:2', count: 1, note: expect.stringContaining('MANUAL') });
      const created = await server.api('POST', '/campaigns', { name: 'from list', kind: 'transactional', audience: { segment: 'list:1' }, text: 'Hello {{firstName}}' });
      expect(created.status).toBe(201);
      expect(created.body.audience).toMatchObject({ segment: 'list:1', filter: { and: expect.any(Array) } });
      const missing = await server.api('POST', '/campaigns', { name: 'x', kind: 'transactional', audience: { segment: 'list:999' }, text: 'Hi' });
      expect(missing.status).toBeGreaterThanOrEqual(400);
      expect(missing.status).toBeLessThan(500);
    } finally {
      await server.stop();
    }
  });
});
