import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';

const root = path.join(import.meta.dirname, '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'customers-utf8-bom.csv');

/** What an integrator writes against the generated types: openapi-fetch checks paths, bodies and answers at compile time. */
const CLIENT = `import createClient from 'openapi-fetch';
import type { paths, components } from './schema.js';

export type Campaign = components['schemas']['Campaign'];

export function connect(baseUrl: string, apiKey: string) {
  return createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${apiKey}\` } });
}

type Client = ReturnType<typeof connect>;

export async function createAndSend(client: Client): Promise<{ campaign: Campaign; toSend: number; planned: number }> {
  const created = await client.POST('/campaigns', {
    body: { name: 'Generated client', kind: 'transactional', audience: { filter: { and: [] } }, text: 'Ваш заказ готов' },
  });
  if (!created.data) throw new Error(\`create failed: \${created.error?.error}\`);
  const campaign: Campaign = created.data;
  const preview = await client.POST('/campaigns/{id}/preview', { params: { path: { id: campaign.id } } });
  if (!preview.data) throw new Error(\`preview failed: \${preview.error?.error}\`);
  const sent = await client.POST('/campaigns/{id}/send', { params: { path: { id: campaign.id } } });
  if (!sent.data) throw new Error(\`send failed: \${sent.error?.error}\`);
  return { campaign, toSend: preview.data.toSend, planned: sent.data.planned?.recipients ?? 0 };
}

export async function report(client: Client, id: string): Promise<{ delivered: number; submitted: number; status: string; messages: Record<string, number> }> {
  const answer = await client.GET('/campaigns/{id}/report', { params: { path: { id } } });
  if (!answer.data) throw new Error(\`report failed: \${answer.error?.error}\`);
  const shown = await client.GET('/campaigns/{id}', { params: { path: { id } } });
  if (!shown.data) throw new Error('campaign not found');
  return { delivered: answer.data.delivered, submitted: answer.data.submitted, status: shown.data.status, messages: shown.data.messages };
}

export async function missing(client: Client): Promise<{ status: number; error: string | undefined }> {
  const answer = await client.GET('/campaigns/{id}', { params: { path: { id: 'missing' } } });
  return { status: answer.response.status, error: answer.error?.error };
}
`;

/** A client that misuses the API: the generated types must reject it. */
const WRONG = `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';
const client = createClient<paths>({ baseUrl: 'http://127.0.0.1' });
export const a = client.POST('/campaigns', { body: { name: 'x', kind: 'promo', audience: { phones: [] } } });
export const b = client.GET('/campaigns/{id}/nothing', { params: { path: { id: 'x' } } });
`;

function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['lib.es2023.d.ts'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** The shape of client.ts above, as this test calls it. */
interface GeneratedClient {
  connect(baseUrl: string, apiKey: string): unknown;
  createAndSend(client: unknown): Promise<{ campaign: { id: string }; toSend: number; planned: number }>;
  report(client: unknown, id: string): Promise<{ delivered: number; submitted: number; status: string; messages: Record<string, number> }>;
  missing(client: unknown): Promise<{ status: number; error: string | undefined }>;
}

let srv: ApiServer;
let dir: string;

beforeAll(async () => {
  srv = await startApiServer({ env: { SIMULATOR_MPS: '1000', TEST_SEND_REQUIRED_ABOVE: '100' } });
  const imported = await fetch(`${srv.base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' }, body: fs.readFileSync(fixture) });
  expect(imported.status).toBe(200);
  // Inside the checkout (tmp/ is ignored by git), so the generated files resolve openapi-fetch from node_modules.
  fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
  dir = fs.mkdtempSync(path.join(root, 'tmp', 'openapi-client-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
});

afterAll(async () => {
  await srv.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a client generated from /openapi.json', () => {
  it('generates with openapi-typescript, compiles with tsc, rejects misuse, and creates, previews, sends and reports a campaign', async () => {
    const document = (await (await fetch(`${srv.base}/api/v1/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
    fs.writeFileSync(path.join(dir, 'schema.ts'), astToString(await openapiTS(document)));
    fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT);
    fs.writeFileSync(path.join(dir, 'wrong.ts'), WRONG);

    // One program for both files (tsc's startup dominates): client.ts must be clean, wrong.ts must not.
    const errors = typeErrors([path.join(dir, 'client.ts'), path.join(dir, 'wrong.ts')]);
    expect(errors.filter((e) => !e.startsWith('wrong.ts'))).toEqual([]);
    const misuse = errors.filter((e) => e.startsWith('wrong.ts'));
    expect(misuse.join('\n')).toContain('"promo"');
    expect(misuse.join('\n')).toContain('/campaigns/{id}/nothing');

    const client = (await import(pathToFileURL(path.join(dir, 'client.ts')).href)) as GeneratedClient;
    const api = client.connect(`${srv.base}/api/v1`, API_KEY);
    const { campaign, toSend, planned } = await client.createAndSend(api);
    expect(campaign).toMatchObject({ name: 'Generated client', status: 'draft', messages: {} });
    expect(toSend).toBe(7);
    expect(planned).toBe(7);
    await srv.engine.runCampaign(campaign.id, { receipts: false, timeoutMs: 5000 });
    const done = await client.report(api, campaign.id);
    expect(done.status).toBe('completed');
    expect(done.submitted).toBe(7);
    expect(Object.values(done.messages).reduce((a, b) => a + b, 0)).toBe(7);
    expect(await client.missing(api)).toMatchObject({ status: 404, error: expect.stringContaining('missing') });
  });
});
