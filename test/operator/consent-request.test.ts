import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { requestConsent } from '../../src/campaigns/consent-request.js';
import { fixedClock } from '../../src/common/clock.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import type { ApiServer } from '../helpers/api-server.js';
import { startApiServer } from '../helpers/api-server.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact } from '../helpers/factories.js';
import { cli, useCliDataDir } from '../helpers/run-cli.js';

/** An IANA zone where it is about midday now, so quiet hours never defer the request in these tests. */
function middayZone(): string {
  const offset = (12 - new Date().getUTCHours() + 24) % 24;
  const signed = offset > 12 ? offset - 24 : offset;
  return signed === 0 ? 'Etc/GMT' : `Etc/GMT${signed > 0 ? '-' : '+'}${Math.abs(signed)}`;
}

const inbound = (from: string, text: string, at: Date, key: string) => ({ type: 'inbound' as const, gateway: 'simulator', providerMessageId: key, from, to: 'SHOP', text, at: at.toISOString(), key });

describe('double opt-in over REST', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer({ env: { SIMULATOR_MPS: '1000', CONSENT_REQUEST_TEXT: 'Ответьте ДА, чтобы получать предложения' } });
    const zone = middayZone();
    for (const [i, name] of ['Анна', 'Борис', 'Вера', 'Глеб'].entries()) await server.api('PUT', `/contacts/%2B7912345678${i}`, { firstName: name, timezone: zone, tags: ['vip'] });
    await server.api('POST', '/contacts/%2B79123456781/opt-in', { source: 'form' });
    await server.api('POST', '/contacts/%2B79123456782/opt-out', { scope: 'marketing' });
    await server.api('PUT', '/segments/vip', { filter: { field: 'tags', op: 'has_any', value: ['vip'] } });
  });
  afterEach(async () => {
    await server.close();
  });

  it('asks only contacts without consent; a yes within the window records an opt-in with the reply as evidence', async () => {
    const { api, engine, app } = server;
    const asked = await api('POST', '/consent/requests', { segment: 'vip' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ asked: 2, skipped: { alreadyOptedIn: 1, optedOut: 1 }, planned: { recipients: 2 } });
    await engine.runCampaign(asked.body.id, { receipts: false, timeoutMs: 5000 });
    const rows = (await api('GET', `/campaigns/${asked.body.id}/messages?unmasked=true`)).body.items;
    expect(rows.map((r: { phone: string }) => r.phone).sort()).toEqual(['+79123456780', '+79123456783']);
    // Sent (the simulator refuses ~1% for realism): nothing is left queued.
    expect(rows.some((r: { status: string }) => r.status === 'queued' || r.status === 'sending')).toBe(false);
    expect((await api('GET', '/campaigns?source=consent_request')).body).toHaveLength(1);
    expect((await api('GET', '/campaigns')).body).toEqual([]);

    const now = app.clock.now().getTime();
    await engine.accept([inbound('+79123456780', 'Да!', new Date(now + 3_600_000), 'y1'), inbound('+79123456783', 'ДА', new Date(now + 73 * 3_600_000), 'y2'), inbound('+79123456782', 'да', new Date(now + 60_000), 'y3')]);
    await engine.processInbox();
    const anna = (await api('GET', '/contacts/%2B79123456780')).body;
    expect(anna.consent.marketing).toBe('opted_in');
    expect(anna.consentHistory.at(-1)).toMatchObject({ origin: 'recipient', status: 'opted_in', source: expect.stringContaining(`reply to consent request ${asked.body.id}`), evidence: expect.stringContaining('simulator:y1 "Да!"') });
    // Outside the window, or never asked (and opted out): a plain reply, no consent.
    expect((await api('GET', '/contacts/%2B79123456783')).body.consent.marketing).toBe('unknown');
    expect((await api('GET', '/contacts/%2B79123456782')).body.consent.marketing).toBe('opted_out');
    const replies = (await api('GET', `/replies?campaign=${asked.body.id}`)).body.items;
    expect(replies.map((r: { kind: string }) => r.kind).sort()).toEqual(['opt_in', 'reply']);

    const again = await api('POST', '/consent/requests', { segment: 'vip' });
    expect(again.body.asked).toBe(1);
    expect((await api('POST', '/consent/requests', { segment: 'nope' })).status).toBe(404);
  });
});

describe('double opt-in on the CLI', () => {
  const scratch = useCliDataDir('smsb-doi-', { SIMULATOR_MPS: '1000', CONSENT_YES_KEYWORDS: 'ОК,SURE' });

  it('consent request --segment sends the text and says who was asked; keywords are configurable', async () => {
    const file = path.join(scratch.dir(), 'c.csv');
    fs.writeFileSync(file, `phone,timezone,consent\n+79123456780,${middayZone()},\n+79123456781,${middayZone()},no\n`);
    await cli('import', file);
    await cli('segment', 'create', 'all', '--filter', '{"and":[]}');
    const out = await cli('consent', 'request', '--segment', 'all', '--text', 'Reply SURE for offers');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('1 asked (0 already opted in, 1 opted out: not asked)');
    expect(out.stdout).toContain('(ОК, SURE)');
    const id = /Consent request (\w+)/.exec(out.stdout)?.[1] as string;
    const [row] = JSON.parse((await cli('campaign', 'messages', id, '--json', '--unmasked')).stdout);
    expect(row).toMatchObject({ phone: '+79123456780', status: expect.not.stringMatching(/queued|sending/) });
    expect((await cli('consent', 'request', '--segment', 'all')).stdout).toContain('1 asked');
    expect((await cli('consent', 'request', '--segment', 'missing')).code).toBe(1);
  });
});

describe('consent requests respect quiet hours', () => {
  it('a request due at 23:00 local waits for the end of the night, although it is transactional', async () => {
    const store = new MemoryStore();
    const contact = makeContact({ timezone: 'Europe/Moscow', city: 'Москва', country: 'RU' });
    await store.contacts.upsertMany([contact]);
    let n = 0;
    const service = new CampaignService({
      store, clock: fixedClock('2026-11-27T20:00:00Z'), newId: () => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`, policy: DEFAULT_POLICY,
      defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => createFakeGateway(), testSendRequiredAbove: 100,
    });
    const result = await requestConsent({ segment: { name: 'all', filter: { and: [] } } as never, text: 'Ответьте ДА', sender: 'SHOP', gateway: 'simulator' }, { store, campaigns: service, now: new Date('2026-11-27T20:00:00Z'), defaultZone: 'Europe/Moscow' });
    const [row] = await store.outbox.listByCampaign(result.campaign.id, { limit: 10 });
    expect(row).toMatchObject({ kind: 'transactional', status: 'queued', sendAfter: '2026-11-28T06:00:00.000Z' });
  });
});
