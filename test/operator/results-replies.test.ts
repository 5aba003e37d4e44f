import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { ApiServer } from '../helpers/api-server.js';
import { startApiServer } from '../helpers/api-server.js';
import { cli, useCliDataDir } from '../helpers/run-cli.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';

const inbound = (from: string, text: string, at: string, key: string) => ({ type: 'inbound' as const, gateway: 'simulator', providerMessageId: key, from, to: 'SHOP', text, at, key });

describe('per-recipient results, replies, campaign sources and archive over REST', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer({ env: { SIMULATOR_MPS: '1000', SMS_PRICES: '{"default":{"RU":2}}' } });
  });
  afterEach(async () => {
    await server.close();
  });

  it('pages messages with a cursor and a status filter, masks numbers unless asked, links replies', async () => {
    const { api, engine, app } = server;
    for (let i = 0; i < 5; i += 1) await api('PUT', `/contacts/%2B7912345678${i}`, { firstName: `Имя${i}`, lastName: 'Тестов' });
    const id = (await api('POST', '/campaigns', { name: 'n', kind: 'transactional', audience: { phones: [0, 1, 2, 3, 4].map((i) => `+7912345678${i}`) }, text: 'Заказ готов' })).body.id;
    await api('POST', `/campaigns/${id}/send`);
    await engine.runCampaign(id, { receipts: false, timeoutMs: 5000 });
    await engine.accept([inbound('+79123456782', 'Спасибо!', new Date(app.clock.now().getTime() + 1000).toISOString(), 'r1')]);
    await engine.processInbox();

    const first = await api('GET', `/campaigns/${id}/messages?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toMatchObject({ phone: expect.stringMatching(/^\+7912\*\*\*678\d$/), name: expect.stringMatching(/^Имя\d Тестов$/), variant: 'A', cost: 2 });
    const all = [...first.body.items];
    for (let next = first.body.next; next; ) {
      const page = await api('GET', `/campaigns/${id}/messages?limit=2&after=${next}`);
      all.push(...page.body.items);
      next = page.body.next;
    }
    expect(all).toHaveLength(5);
    expect(new Set(all.map((r) => r.messageId)).size).toBe(5);
    const unmasked = (await api('GET', `/campaigns/${id}/messages?unmasked=true&limit=10`)).body.items;
    expect(unmasked.find((r: { phone: string }) => r.phone === '+79123456782')).toMatchObject({ reply: 'Спасибо!', sentAt: expect.any(String) });
    const submitted = (await api('GET', `/campaigns/${id}/messages?status=submitted&status=delivered`)).body.items.length;
    const failed = (await api('GET', `/campaigns/${id}/messages?status=rejected&status=failed&status=undelivered`)).body.items.length;
    expect(submitted + failed).toBeLessThanOrEqual(5);
    expect((await api('GET', `/campaigns/${id}/messages?status=bogus`)).status).toBe(400);
    expect((await api('GET', '/campaigns/nope/messages')).status).toBe(404);

    const replies = await api('GET', `/replies?campaign=${id}`);
    expect(replies.body.next).toBeNull();
    expect(replies.body.items).toContainEqual(expect.objectContaining({ phone: '+7912***6782', name: 'Имя2 Тестов', campaignId: id, kind: 'reply', text: 'Спасибо!' }));
    expect((await api('GET', `/replies?since=${encodeURIComponent(new Date(app.clock.now().getTime() + 5000).toISOString())}`)).body.items).toEqual([]);
    expect((await api('GET', '/replies?since=yesterday')).status).toBe(400);
  });

  it('transactional API messages do not flood the campaign list; old campaigns can be archived', async () => {
    const { api, engine } = server;
    for (let i = 0; i < 3; i += 1) {
      const sent = await api('POST', '/messages', { to: `+7912345679${i}`, text: 'Код 1234' }, { 'idempotency-key': `k${i}` });
      expect(sent.status).toBe(202);
      await engine.runCampaign(sent.body.id, { receipts: false, timeoutMs: 5000 });
    }
    const own = (await api('POST', '/campaigns', { name: 'own', kind: 'transactional', audience: { phones: ['+79123456780'] }, text: 'Hi' })).body.id;
    expect((await api('GET', '/campaigns')).body.map((c: { id: string }) => c.id)).toEqual([own]);
    expect((await api('GET', '/campaigns?source=message')).body).toHaveLength(3);
    expect((await api('GET', '/campaigns?all=true')).body).toHaveLength(4);
    expect((await api('POST', `/campaigns/${own}/archive`)).body).toEqual({ archived: [own] });
    expect((await api('GET', '/campaigns')).body).toEqual([]);
    expect((await api('GET', '/campaigns?archived=true')).body).toHaveLength(1);
    const old = await api('POST', '/campaigns/archive', { olderThanDays: 0 });
    expect(old.body.archived).toHaveLength(3);
    expect((await api('GET', '/campaigns?source=message')).body).toEqual([]);
  });
});

describe('per-recipient results, replies, list and archive on the CLI', () => {
  const scratch = useCliDataDir('smsb-res-', { SIMULATOR_MPS: '1000' });

  it('campaign messages streams CSV, JSON and text; replies list; the report points to both', async () => {
    const file = path.join(scratch.dir(), 'c.csv');
    fs.writeFileSync(file, `phone,name\n${[0, 1, 2].map((i) => `+7912345678${i},"Имя, ${i}"`).join('\n')}\n`);
    await cli('import', file);
    const id = JSON.parse((await cli('campaign', 'create', '--name', 'n', '--to', '+79123456780,+79123456781,+79123456782', '--kind', 'transactional', '--text', 'Заказ', '--json')).stdout).id;
    await cli('campaign', 'send', id);
    {
      const app = await openApp(loadConfig({ DATA_DIR: path.join(scratch.dir(), 'data'), LOG_LEVEL: 'silent', SMS_SENDER: 'SHOP' }), { logger: silentLogger });
      const engine = await app.engine();
      await engine.accept([inbound('+79123456781', 'Когда доставка?', '2030-01-01T10:00:00.000Z', 'r1')]);
      await engine.processInbox();
      await app.close();
    }
    const csv = (await cli('campaign', 'messages', id, '--csv')).stdout.trim().split('\n');
    expect(csv[0]).toBe('messageId,phone,name,variant,status,errorCode,sentAt,deliveredAt,cost,reply');
    expect(csv).toHaveLength(4);
    expect(csv.join('\n')).toContain('"Имя, 1"');
    expect(csv.join('\n')).toContain('+7912***6781');
    expect(csv.join('\n')).not.toContain('+79123456781');
    const json = JSON.parse((await cli('campaign', 'messages', id, '--json', '--unmasked')).stdout);
    expect(json).toHaveLength(3);
    expect(json.find((r: { phone: string }) => r.phone === '+79123456781')).toMatchObject({ reply: 'Когда доставка?' });
    const text = await cli('campaign', 'messages', id, '--status', 'canceled');
    expect(text.stdout).toContain('0 message(s)');
    expect((await cli('campaign', 'messages', id, '--status', 'nope')).code).toBe(1);
    const replies = await cli('replies', 'list', '--campaign', id);
    expect(replies.stdout).toContain('Когда доставка?');
    expect(replies.stdout).toContain('+7912***6781');
    expect(JSON.parse((await cli('replies', 'list', '--since', '2030-01-02T00:00:00Z', '--json')).stdout)).toEqual({ items: [], next: null });
    const report = (await cli('campaign', 'report', id)).stdout;
    expect(report).toContain(`smsbridge replies list --campaign ${id}`);
    expect(report).toContain(`smsbridge campaign messages ${id}`);

    expect((await cli('campaign', 'list')).stdout).toContain(id);
    expect((await cli('campaign', 'archive', id)).stdout).toContain(`Archived 1: ${id}`);
    expect((await cli('campaign', 'list')).stdout).toContain('No campaigns yet.');
    expect((await cli('campaign', 'list', '--archived')).stdout).toContain(id);
    expect((await cli('campaign', 'archive')).code).toBe(1);
    expect(JSON.parse((await cli('campaign', 'archive', '--older-than', '0', '--json')).stdout)).toEqual({ archived: [] });
  });
});
