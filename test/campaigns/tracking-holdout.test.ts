import { describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { Campaign } from '../../src/campaigns/campaign.js';
import { createHoldoutPicker } from '../../src/campaigns/holdout.js';
import { createCodeGenerator, shortLinkPrefix } from '../../src/clicks/short-links.js';
import { fixedClock } from '../../src/common/clock.js';
import { countSegments } from '../../src/messages/encoding.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';

const PREFIX = shortLinkPrefix('https://sms-bridge.example.ru');
const LINK = new RegExp(`${PREFIX.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}([0-9A-Za-z]{10})`, 'g');

async function setup(options: { contacts?: number; tracked?: boolean } = {}) {
  const store = new MemoryStore();
  const people = Array.from({ length: options.contacts ?? 4 }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
  await store.contacts.upsertMany(people);
  await store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
  let n = 0;
  const service = new CampaignService({
    store, clock: fixedClock('2026-11-27T07:00:00Z'), newId: () => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`, policy: DEFAULT_POLICY,
    defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => createFakeGateway(), testSendRequiredAbove: 10_000,
    ...(options.tracked === false ? {} : { shortLinks: { prefix: PREFIX, newCode: createCodeGenerator() } }),
  });
  const create = (text: string, extra: Partial<Campaign> = {}) =>
    service.create({
      name: 'Весна', kind: 'transactional', audience: { filter: { and: [] } }, variants: [{ name: 'A', text, weight: 1 }],
      campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' }, ...extra,
    });
  return { store, service, people, create };
}

describe('tracked links in a campaign', () => {
  // 110 characters and a space, then the link: with the short link (43 characters) one segment of 160;
  // with the link as written, two. The preview must count the one.
  const filler = 'x'.repeat(110);

  it('counts segments and cost with the short link of real length, and sends the real short link', async () => {
    const { service, store, create, people } = await setup();
    const long = `https://shop.example.ru/catalog/winter-collection/sale?ref=sms&item=${'9'.repeat(60)}`;
    const campaign = await create(`${filler} ${long}`);
    const preview = await service.preview(campaign.id);
    const sample = preview.samples[0]?.text as string;
    expect(sample).toMatch(LINK);
    expect(sample).not.toContain('shop.example.ru');
    const expected = countSegments(`${filler} ${PREFIX}AAAAAAAAAA`).segments;
    expect(expected).toBe(1);
    expect(countSegments(`${filler} ${long}`).segments).toBe(2);
    expect(preview.segments).toBe(expected * people.length);
    expect(preview.cost).toBe(expected * people.length * 2);

    await service.start(campaign.id);
    const rows = await store.outbox.listByCampaign(campaign.id, { limit: 100 });
    const codes = rows.map((row) => [...row.text.matchAll(LINK)].map((m) => m[1] as string)).flat();
    expect(codes).toHaveLength(people.length);
    expect(new Set(codes).size).toBe(people.length);
    const links = await store.links.getMany(codes);
    for (const row of rows) {
      const code = [...row.text.matchAll(LINK)][0]?.[1] as string;
      expect(links.get(code)).toEqual({ code, campaignId: campaign.id, messageId: row.id, contactId: row.contactId, url: long });
      expect(row.segments).toBe(expected);
    }
  });

  it('leaves the text unchanged when tracking is off for the campaign, or no short link base is set', async () => {
    const text = 'Скидка 20%: https://shop.example.ru/sale до воскресенья';
    const { service, store, create } = await setup();
    const off = await create(text, { trackLinks: false });
    expect((await service.preview(off.id)).samples.map((s) => s.text)).toEqual(Array(3).fill(text));
    await service.start(off.id);
    expect((await store.outbox.listByCampaign(off.id, { limit: 10 })).every((row) => row.text === text)).toBe(true);
    const untracked = await setup({ tracked: false });
    const plain = await untracked.create(text);
    const preview = await untracked.service.preview(plain.id);
    expect(preview.samples[0]?.text).toBe(text);
    expect(preview.linkNote).toContain('SHORT_LINK_BASE');
    expect((await service.preview(off.id)).linkNote).toBeUndefined();
  });

  it('never rewrites one message of POST /messages or a consent request', async () => {
    const { service, create } = await setup();
    const text = 'Вход: https://shop.example/login?token=abc';
    for (const source of ['message', 'consent_request'] as const) {
      const single = await create(text, { source });
      expect((await service.preview(single.id)).samples[0]?.text).toBe(text);
    }
    expect((await service.preview((await create(text, { source: 'automation' })).id)).samples[0]?.text).toMatch(LINK);
  });

  it('renders a text without links exactly as before', async () => {
    const { service, create } = await setup();
    const campaign = await create('Привет, {{firstName}}! Без ссылок.');
    expect((await service.preview(campaign.id)).samples[0]?.text).toBe('Привет, Анна! Без ссылок.');
  });
});

describe('holdout', () => {
  it('keeps a stable share of the eligible audience unsent, shown as held out, recorded, and never queued', async () => {
    const { service, store, create, people } = await setup({ contacts: 400 });
    // Opted out contacts are excluded first: the holdout is drawn from the eligible ones only.
    const optedOut = people.slice(0, 40);
    await store.consent.append(optedOut.map((c) => makeEntry({ contactId: c.id, status: 'opted_out', scope: 'all', at: '2026-11-27T06:00:00.000Z' })));
    const campaign = await create('Код: 1234', { holdoutPercent: 10 });
    expect(campaign.holdoutSeed).toBe(campaign.id);

    const first = await service.preview(campaign.id);
    const second = await service.preview(campaign.id);
    expect(first.heldOut).toBe(second.heldOut);
    expect(first.excluded).toEqual({ opted_out: 40 });
    expect(first.excluded).not.toHaveProperty('held_out');
    expect(first.heldOut).toBeGreaterThan(15);
    expect(first.heldOut).toBeLessThan(60);
    expect(first.toSend + (first.heldOut ?? 0)).toBe(360);

    const started = await service.start(campaign.id);
    const holdout = await store.holdouts.get(campaign.id);
    const pick = createHoldoutPicker(campaign.id, 10);
    const eligible = people.slice(40).map((c) => c.id);
    expect(holdout).toMatchObject({ id: campaign.id, percent: 10, at: '2026-11-27T07:00:00.000Z' });
    expect(new Set(holdout?.contactIds)).toEqual(new Set(eligible.filter(pick)));
    expect(holdout?.contactIds).toHaveLength(first.heldOut as number);
    expect(started.planned?.recipients).toBe(first.toSend);
    const rows = await store.outbox.listByCampaign(campaign.id, { limit: 1000 });
    const sentTo = new Set(rows.map((row) => row.contactId));
    expect(holdout?.contactIds.some((id) => sentTo.has(id))).toBe(false);
  });

  it('holds the same contacts out in every run of a recurring campaign', async () => {
    const { service, store, create, people } = await setup({ contacts: 300 });
    const parent = await create('Код: 1234', { holdoutPercent: 20, schedule: { type: 'cron', cron: '0 10 * * 1', timezone: 'Europe/Moscow' } });
    const run = await service.runScheduled(parent.id);
    expect(run.id).not.toBe(parent.id);
    expect(run.holdoutSeed).toBe(parent.id);
    const held = (await store.holdouts.get(run.id))?.contactIds ?? [];
    expect(new Set(held)).toEqual(new Set(people.map((c) => c.id).filter(createHoldoutPicker(parent.id, 20))));
    const sentTo = new Set((await store.outbox.listByCampaign(run.id, { limit: 1000 })).map((row) => row.contactId));
    expect(held.some((id) => sentTo.has(id))).toBe(false);
  });

  it('is refused outside (0, 50] percent', async () => {
    const { create } = await setup();
    await expect(create('x', { holdoutPercent: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(create('x', { holdoutPercent: 75 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
