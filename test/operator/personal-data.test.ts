import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiServer } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';
import { cli, useCliDataDir } from '../helpers/run-cli.js';

const E164 = '+79123456789';
/** Every spelling of the number that could be stored: E.164, international digits, national digits. */
const SPELLINGS = ['+79123456789', '79123456789', '89123456789', '9123456789'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/** Files of the data dir (all of them, after the store flushed) that still hold the number in any spelling. */
function filesHolding(dir: string, needles: readonly string[]): string[] {
  return filesUnder(dir).filter((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return needles.some((needle) => text.includes(needle));
  });
}

describe('personal data over REST: export, forget, suppression', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer({ env: { SIMULATOR_MPS: '1000' } });
  });
  afterEach(async () => {
    await server.close();
  });

  const upload = async (body: string): Promise<{ consent: { keptOptedOut: number } }> => {
    const res = await fetch(`${server.base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' }, body });
    return (await res.json()) as { consent: { keptOptedOut: number } };
  };

  it('exports everything, then erases the number from every file of the data dir and keeps the opt-out as a hash', async () => {
    const { api, engine, app, dataDir } = server;
    await upload(`телефон,ФИО,согласие,email\n8 912 345-67-89,Иванов Иван Иванович,да,ivan@example.ru\n+79123456790,Петрова Мария,да,\n`);
    const created = await api('POST', '/campaigns', { name: 'notice', kind: 'transactional', audience: { phones: [E164, '+79123456790'] }, text: '{{firstName}} {{middleName}}, заказ готов' });
    expect((await api('POST', `/campaigns/${created.body.id}/send`)).status).toBe(202);
    await engine.runCampaign(created.body.id, { receipts: false, timeoutMs: 5000 });
    await engine.accept([{ type: 'inbound', gateway: 'simulator', providerMessageId: 'in-1', from: E164, to: 'SHOP', text: 'Спасибо, а когда доставка?', at: app.clock.now().toISOString(), key: 'in-1' }]);
    await engine.accept([{ type: 'inbound', gateway: 'simulator', providerMessageId: 'in-2', from: E164, to: 'SHOP', text: 'СТОП', at: new Date(app.clock.now().getTime() + 1000).toISOString(), key: 'in-2' }]);
    await engine.processInbox();
    await app.store.integrationState.put({ id: 'slack:thread:x', data: { channel: 'C1', ts: '1.2', phone: E164 }, at: app.clock.now().toISOString() });
    const message = await api('POST', '/messages', { to: E164, text: 'Код 1234' }, { 'idempotency-key': 'k-1' });
    expect(message.status).toBe(409);

    const exported = await api('GET', `/contacts/${encodeURIComponent(E164)}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ phone: E164, contact: { lastName: 'Иванов', properties: { email: 'ivan@example.ru' } }, consent: { transactionalAllowed: false }, suppressed: false });
    expect(exported.body.messages.map((m: { text: string }) => m.text)).toContain('Иван Иванович, заказ готов');
    expect(exported.body.replies.map((r: { text: string }) => r.text)).toEqual(['Спасибо, а когда доставка?', 'СТОП']);
    expect(exported.body.integrations).toEqual([expect.objectContaining({ id: 'slack:thread:x' })]);
    await app.store.flush();
    expect(filesHolding(dataDir, [E164]).length).toBeGreaterThan(0);

    const forgotten = await api('POST', `/contacts/${encodeURIComponent('8 (912) 345-67-89')}/forget`);
    expect(forgotten.status).toBe(200);
    expect(forgotten.body).toMatchObject({ phone: '+7912***6789', contactErased: true, suppressed: true });
    expect(forgotten.body.messagesRedacted).toBeGreaterThanOrEqual(1);
    expect(forgotten.body.repliesRedacted).toBe(2);
    await app.store.flush();
    expect(filesHolding(dataDir, SPELLINGS)).toEqual([]);
    expect(filesHolding(dataDir, ['Иванович', 'ivan@example.ru', 'когда доставка'])).toEqual([]);
    expect(filesHolding(dataDir, ['Мария'])).not.toEqual([]);
    expect((await api('GET', `/contacts/${encodeURIComponent(E164)}`)).status).toBe(404);
    expect((await api('GET', `/contacts/${encodeURIComponent(E164)}/export`)).body).toMatchObject({ contact: null, messages: [], replies: [], suppressed: true });
    expect((await api('GET', '/contacts/%2B79123456790')).body.firstName).toBe('Мария');
    const report = await api('GET', `/campaigns/${created.body.id}/report`);
    expect(report.body).toMatchObject({ audience: 2, replies: 1, optOuts: 1 });

    // Never messaged again: a re-import stays opted out, an API message is refused.
    expect((await upload(`phone,consent\n${E164},yes\n`)).consent.keptOptedOut).toBe(1);
    expect((await api('GET', `/contacts/${encodeURIComponent(E164)}`)).body.consent).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false });
    expect((await api('POST', '/messages', { to: '8 912 345 67 89', text: 'Код 1234' }, { 'idempotency-key': 'k-2' })).status).toBe(409);
    expect((await api('POST', `/contacts/${encodeURIComponent('+79990001122')}/forget`)).status).toBe(404);
  });
});

describe('personal data on the CLI', () => {
  const scratch = useCliDataDir('smsb-pd-', { SIMULATOR_MPS: '1000' });

  it('contacts export prints JSON; contacts forget erases every spelling; a number that never opted out is not kept', async () => {
    const file = path.join(scratch.dir(), 'c.csv');
    fs.writeFileSync(file, 'phone,name\n+79123456789,Анна\n+79123456790,Олег\n');
    await cli('import', file);
    const id = JSON.parse((await cli('campaign', 'create', '--name', 'n', '--to', '+79123456789', '--kind', 'transactional', '--text', 'Привет, {{firstName}}', '--json')).stdout).id;
    expect((await cli('campaign', 'send', id)).code).toBe(0);
    const exported = JSON.parse((await cli('contacts', 'export', '89123456789')).stdout);
    expect(exported).toMatchObject({ contact: { firstName: 'Анна' }, messages: [expect.objectContaining({ text: 'Привет, Анна' })] });
    const forgotten = await cli('contacts', 'forget', '+79123456789');
    expect(forgotten.code).toBe(0);
    expect(forgotten.stdout).toContain('had not opted out: nothing about it is kept');
    expect(filesHolding(path.join(scratch.dir(), 'data'), SPELLINGS)).toEqual([]);
    expect(filesHolding(path.join(scratch.dir(), 'data'), ['Привет, Анна'])).toEqual([]);
    expect((await cli('contacts', 'export', '+79123456789')).code).toBe(1);
    // Not on the suppression list: a later import with consent is a new contact like any other.
    fs.writeFileSync(file, 'phone,consent\n+79123456789,yes\n');
    expect(JSON.parse((await cli('import', file, '--json')).stdout).consent).toEqual({ optedIn: 1, optedOut: 0, keptOptedOut: 0 });
  });
});
