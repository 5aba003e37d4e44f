import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../helpers/run-cli.js';

const API = 'https://api.hubapi.com';
let dataDir: string;

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-hs-install-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('HUBSPOT_DEVELOPER_API_KEY', 'dev-key-12345678');
  vi.stubEnv('HUBSPOT_APP_ID', '1234567');
  vi.stubEnv('PUBLIC_URL', 'https://sms.example.com');
});
afterEach(() => {
  vi.unstubAllEnvs();
  nock.cleanAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('smsbridge hubspot install-action', () => {
  it('creates the Send SMS definition with the developer key, pointing at PUBLIC_URL, and says what it did', async () => {
    let sent: { actionUrl?: string; inputFields?: Array<{ typeDefinition: { name: string } }>; labels?: { en?: { actionName?: string } } } = {};
    const scope = nock(API)
      .get('/automation/v4/actions/1234567').query({ hapikey: 'dev-key-12345678', limit: '100' }).reply(200, { results: [] })
      .post('/automation/v4/actions/1234567', (body) => {
        sent = body;
        return true;
      }).query({ hapikey: 'dev-key-12345678' }).reply(201, { id: '987', revisionId: '1', published: true });
    const result = await cli('hubspot', 'install-action');
    scope.done();
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Created the "Send SMS" workflow action (definition 987) in HubSpot app 1234567');
    expect(sent.actionUrl).toBe('https://sms.example.com/hubspot/workflow-actions/send-sms');
    expect(sent.inputFields?.map((field) => field.typeDefinition.name)).toEqual(['message', 'kind', 'sender', 'waitForDelivery']);
    expect(sent.labels?.en?.actionName).toBe('Send SMS');
  });

  it('updates the definition already installed instead of adding a second one', async () => {
    const scope = nock(API)
      .get('/automation/v4/actions/1234567').query(true).reply(200, { results: [{ id: '555', actionUrl: 'https://old.example.com/x', labels: { en: { actionName: 'Send SMS' } } }] })
      .patch('/automation/v4/actions/1234567/555', (body) => body.actionUrl === 'https://other.example.com/hubspot/workflow-actions/send-sms').query(true).reply(200, { id: '555' });
    const result = await cli('hubspot', 'install-action', '--url', 'https://other.example.com/hubspot/workflow-actions/send-sms', '--json');
    scope.done();
    expect(JSON.parse(result.stdout)).toEqual({ outcome: 'updated', definitionId: '555', appId: '1234567', actionUrl: 'https://other.example.com/hubspot/workflow-actions/send-sms' });
  });

  it('says what to set when the developer key is missing or refused', async () => {
    vi.stubEnv('HUBSPOT_DEVELOPER_API_KEY', '');
    const missing = await cli('hubspot', 'install-action');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('HUBSPOT_DEVELOPER_API_KEY is not set');
    vi.stubEnv('HUBSPOT_DEVELOPER_API_KEY', 'wrong-key-12345678');
    nock(API).get('/automation/v4/actions/1234567').query(true).reply(401, { status: 'error', message: 'The API key provided is invalid.' });
    const refused = await cli('hubspot', 'install-action');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HubSpot refused the developer API key (401)');
  });
});
