import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiServer } from '../helpers/api-server.js';
import { startApiServer } from '../helpers/api-server.js';
import { cli } from '../helpers/run-cli.js';

const PRICES = '{"default":{"RU":2,"default":5}}';

describe('campaign control on the CLI', () => {
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-ctl-'));
    vi.stubEnv('DATA_DIR', path.join(dir, 'data'));
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('SMS_SENDER', 'SHOP');
    vi.stubEnv('SIMULATOR_MPS', '1000');
    const file = path.join(dir, 'c.csv');
    fs.writeFileSync(file, 'phone,name,consent\n+79123456789,Анна,yes\n+79123456790,Олег,yes\n+79123456791,Ира,yes\n');
    await cli('import', file);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a test send to an opted-out number is refused with the reason; --contact names the refused contact and why', async () => {
    await cli('contacts', 'opt-out', '+79123456789', '--by', 'recipient', '--source', 'asked by phone');
    const created = JSON.parse((await cli('campaign', 'create', '--name', 'sale', '--to', '+79123456789,+79123456790', '--text', 'Скидка, {{firstName}}', '--json')).stdout).id;
    const refused = await cli('campaign', 'test', created, '--to', '8 912 345-67-89');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('not sent: refused: this number opted out (by recipient, asked by phone');
    expect(refused.stdout).toContain('test sends obey opt-outs');
    const mixed = JSON.parse((await cli('campaign', 'test', created, '--to', '+79123456789,+79990001122', '--json')).stdout);
    expect(mixed).toEqual([expect.objectContaining({ phone: '+79123456789', ok: false }), expect.objectContaining({ phone: '+79990001122', ok: true })]);
    const byContact = await cli('campaign', 'test', created, '--to', '+79990001122', '--contact', '+79123456789');
    expect(byContact.code).toBe(1);
    expect(byContact.stderr).toContain('Contact +7912***6789 cannot be used for this test: the contact opted out (opted_out)');
    expect(byContact.stderr).not.toContain('no recipient');
  });

  it('a scheduled campaign is not sent early: send refuses without --now, and the hint after create says so', async () => {
    const create = await cli('campaign', 'create', '--name', 'later', '--to', '+79123456790', '--kind', 'transactional', '--text', 'Привет', '--start', '2099-01-02T10:00:00+03:00');
    expect(create.stdout).toContain('(scheduled)');
    expect(create.stdout).toContain('starts by itself at 2099-01-02T07:00:00.000Z');
    expect(create.stdout).not.toMatch(/then campaign send/);
    const id = /campaign (\w+)/.exec(create.stdout)?.[1] as string;
    const early = await cli('campaign', 'send', id);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('is scheduled for 2099-01-02T07:00:00.000Z');
    expect(early.stderr).toContain('--now');
    expect(JSON.parse((await cli('campaign', 'show', id, '--json')).stdout)).toMatchObject({ status: 'scheduled', messages: {} });
    const now = JSON.parse((await cli('campaign', 'send', id, '--now', '--json')).stdout);
    expect(now.planned.recipients).toBe(1);
    // The simulator refuses about 1% of messages for realism: sent means submitted or rejected, not queued.
    expect(Object.keys(now.messages).filter((s) => s !== 'submitted' && s !== 'rejected')).toEqual([]);
    const draft = await cli('campaign', 'create', '--name', 'draft', '--to', '+79123456790', '--text', 'Привет');
    expect(draft.stdout).toContain('then campaign send');
  });

  it('a budget refuses at create when the preview costs more, stops the send when the actual cost reaches it, and the report says so', async () => {
    vi.stubEnv('SMS_PRICES', PRICES);
    const over = await cli('campaign', 'create', '--name', 'b', '--to', '+79123456789,+79123456790,+79123456791', '--kind', 'transactional', '--text', 'Заказ готов', '--max-cost', '5');
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('The preview costs 6.00 RUB, over the budget of 5.00 RUB');
    const id = JSON.parse((await cli('campaign', 'create', '--name', 'b', '--to', '+79123456789,+79123456790,+79123456791', '--kind', 'transactional', '--text', 'Заказ готов', '--max-cost', '6', '--json')).stdout).id;
    expect(JSON.parse((await cli('campaign', 'show', id, '--json')).stdout).maxCost).toBe(6);
    // The send itself, stopping between claims, is covered in test/campaigns/budget.test.ts; here the
    // budget is reached by pausing after the send and asking to resume without raising it.
    const sent = JSON.parse((await cli('campaign', 'send', id, '--json')).stdout);
    expect(sent.status).toBe('completed');
    const submitted = sent.messages.submitted ?? 0;
    const report = JSON.parse((await cli('campaign', 'report', id, '--json')).stdout);
    expect(report.budget).toEqual({ maxCost: 6, spent: 2 * submitted, reached: submitted === 3 });
    expect((await cli('campaign', 'report', id)).stdout).toContain(`Budget: 6.00 RUB · spent ${(2 * submitted).toFixed(2)} RUB`);
    const paused = JSON.parse((await cli('campaign', 'create', '--name', 'c', '--to', '+79123456789', '--kind', 'transactional', '--text', 'Заказ готов', '--max-cost', '2', '--json')).stdout).id;
    await cli('campaign', 'send', paused);
    expect((await cli('campaign', 'pause', paused)).code).toBe(1); // already completed: nothing left to pause
  });

  it('a budget needs prices; the preview says when prices are not configured and warns when UCS-2 doubles the cost', async () => {
    const noPrices = await cli('campaign', 'create', '--name', 'b', '--to', '+79123456789', '--kind', 'transactional', '--text', 'Hi', '--max-cost', '5');
    expect(noPrices.stderr).toContain('SMS_PRICES is not configured');
    const text = 'Order #123 is ready for pickup at our store “Central” — open 9 to 21. Bring your ID and the order number, please. See you soon!!';
    const preview = await cli('campaign', 'preview', '--to', '+79123456789', '--kind', 'transactional', '--text', text);
    expect(preview.stdout).toContain('Prices are not configured (SMS_PRICES is unset)');
    expect(preview.stdout).toContain('force UCS-2: 2 segment(s) per message instead of 1, so the cost is 2.0×');
    expect(preview.stdout).toContain('GSM-safe text: Order #123 is ready for pickup at our store "Central" - open');
    const json = JSON.parse((await cli('campaign', 'preview', '--to', '+79123456789', '--kind', 'transactional', '--text', text, '--json')).stdout);
    expect(json).toMatchObject({ pricesConfigured: false, encodingWarnings: [expect.objectContaining({ variant: 'A', segments: 2, gsmSafeSegments: 1 })] });
    vi.stubEnv('SMS_PRICES', PRICES);
    expect(JSON.parse((await cli('campaign', 'preview', '--to', '+79123456789', '--kind', 'transactional', '--text', 'Заказ', '--json')).stdout)).toMatchObject({ pricesConfigured: true, encodingWarnings: [] });
  });
});

describe('campaign control over REST', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer({ env: { SMS_PRICES: PRICES, SIMULATOR_MPS: '1000' } });
    await server.api('PUT', '/contacts/%2B79123456789', { firstName: 'Анна' });
    await server.api('POST', '/contacts/%2B79123456789/opt-out', { by: 'recipient' });
    await server.api('PUT', '/contacts/%2B79123456790', { firstName: 'Олег' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('test sends obey opt-outs and name the refused contact; scheduled sends need now=true; budgets apply', async () => {
    const { api } = server;
    const id = (await api('POST', '/campaigns', { name: 'n', kind: 'transactional', audience: { phones: ['+79123456789', '+79123456790'] }, text: 'Привет, {{firstName}}' })).body.id;
    const test = await api('POST', `/campaigns/${id}/test`, { to: ['+79123456789'] });
    expect(test.body).toMatchObject({ ok: false, results: [{ phone: '+79123456789', ok: false, detail: expect.stringContaining('refused: this number opted out (by recipient') }] });
    const byContact = await api('POST', `/campaigns/${id}/test`, { to: ['+79990001122'], contact: '+79123456789' });
    expect(byContact.status).toBe(400);
    expect(byContact.body.error).toContain('Contact +7912***6789 cannot be used for this test: the contact opted out');

    const later = (await api('POST', '/campaigns', { name: 'l', kind: 'transactional', audience: { phones: ['+79123456790'] }, text: 'Hi', schedule: { type: 'at', at: '2099-01-01T10:00:00Z' } })).body.id;
    const early = await api('POST', `/campaigns/${later}/send`);
    expect(early.status).toBe(409);
    expect(early.body.error).toContain('is scheduled for 2099-01-01T10:00:00.000Z');
    expect((await api('POST', `/campaigns/${later}/send?now=true`)).status).toBe(202);

    const over = await api('POST', '/campaigns', { name: 'b', kind: 'transactional', audience: { phones: ['+79123456790'] }, text: 'Hi', maxCost: 1 });
    expect(over.status).toBe(400);
    expect(over.body.error).toContain('over the budget');
    const budget = await api('POST', '/campaigns', { name: 'b', kind: 'transactional', audience: { phones: ['+79123456790'] }, text: 'Hi', maxCost: 2 });
    expect(budget.status).toBe(201);
    expect(budget.body.maxCost).toBe(2);

    const quoted = (await api('POST', '/campaigns', { name: 'q', kind: 'transactional', audience: { phones: ['+79123456790'] }, text: 'Your order “A-1” is ready — pick it up at the shop on Main Street any day from nine to nine, see you there soon, thanks!' })).body.id;
    const preview = await api('POST', `/campaigns/${quoted}/preview`);
    expect(preview.body).toMatchObject({ pricesConfigured: true, encodingWarnings: [expect.objectContaining({ segments: 2, gsmSafeSegments: 1, gsmSafeText: expect.stringContaining('"A-1" is ready - pick') })] });
  });
});
