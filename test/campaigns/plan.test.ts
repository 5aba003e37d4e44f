import { describe, expect, it } from 'vitest';
import type { Decision, PlanRequest } from '../../src/campaigns/plan.js';
import { planCampaign } from '../../src/campaigns/plan.js';
import { previewCampaign } from '../../src/campaigns/preview.js';
import { createVariantPicker } from '../../src/campaigns/variants.js';
import type { Contact } from '../../src/contacts/contact.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeContact, makeEntry, makeOutboxRow } from '../helpers/factories.js';

// 2026-11-27 07:00 UTC = 10:00 in Moscow, 17:00 in Vladivostok, 02:00 in New York.
const AT = new Date('2026-11-27T07:00:00Z');

async function seeded() {
  const store = new MemoryStore();
  const c = {
    moscow: makeContact({ firstName: "O'Brien & Sons", city: 'Москва', timezone: 'Europe/Moscow', timezoneSource: 'city', country: 'RU', birthDate: '1990-05-01' }),
    vladivostok: makeContact({ firstName: 'Иван', city: 'Владивосток', timezone: 'Asia/Vladivostok', timezoneSource: 'city', country: 'RU' }),
    newYork: makeContact({ phone: '+12125550101', firstName: 'Ann', city: 'New York', timezone: 'America/New_York', timezoneSource: 'city', country: 'US' }),
    noName: makeContact({ firstName: undefined, city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }),
    minor: makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU', birthDate: '2010-01-01' }),
    stopped: makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }),
    unknownConsent: makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }),
    capped: makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }),
  };
  await store.contacts.upsertMany(Object.values(c));
  const optIn = (contact: Contact) => makeEntry({ contactId: contact.id, status: 'opted_in', at: '2026-01-01T00:00:00.000Z' });
  await store.consent.append([
    ...[c.moscow, c.vladivostok, c.newYork, c.noName, c.minor, c.stopped, c.capped].map(optIn),
    makeEntry({ contactId: c.stopped.id, status: 'opted_out', scope: 'all', origin: 'recipient', at: '2026-02-01T00:00:00.000Z' }),
  ]);
  await store.outbox.insertMany([
    makeOutboxRow({ campaignId: 'earlier', contactId: c.capped.id, status: 'delivered', submittedAt: '2026-11-24T10:00:00.000Z' }),
    makeOutboxRow({ campaignId: 'earlier', contactId: c.capped.id, status: 'queued', sendAfter: '2026-11-26T10:00:00.000Z' }),
  ]);
  return { store, c };
}

const deps = (store: MemoryStore) => ({ store, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 3.5, default: 6 } } });

function request(overrides: Partial<PlanRequest> = {}): PlanRequest {
  return { campaignId: 'c1', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Привет, {{firstName}}!', weight: 1 }], kind: 'marketing', sender: 'SHOP', at: AT, ...overrides };
}

async function decisions(store: MemoryStore, req: PlanRequest): Promise<Decision[]> {
  const out: Decision[] = [];
  for await (const d of planCampaign(req, deps(store))) out.push(d);
  return out;
}

describe('campaign planning', () => {
  it('decides once per contact, with a reason for every exclusion', async () => {
    const { store, c } = await seeded();
    const plan = await decisions(store, request());
    expect(plan).toHaveLength(8);
    expect(new Set(plan.map((d) => d.contactId)).size).toBe(8);
    const reasonOf = (contact: Contact) => {
      const d = plan.find((x) => x.contactId === contact.id);
      return d?.action === 'excluded' ? d.reason : d?.action;
    };
    expect(reasonOf(c.moscow)).toBe('send');
    expect(reasonOf(c.vladivostok)).toBe('send');
    expect(reasonOf(c.newYork)).toBe('send');
    expect(reasonOf(c.noName)).toBe('missing_variable');
    expect(reasonOf(c.minor)).toBe('minor');
    expect(reasonOf(c.stopped)).toBe('opted_out');
    expect(reasonOf(c.unknownConsent)).toBe('no_consent');
    expect(reasonOf(c.capped)).toBe('frequency_cap');
  });

  it('renders without HTML escaping, appends the ad label and opt-out, and prices per country', async () => {
    const { store, c } = await seeded();
    const plan = await decisions(store, request());
    const moscow = plan.find((d) => d.contactId === c.moscow.id);
    expect(moscow).toMatchObject({ action: 'send', text: "Привет, O'Brien & Sons!\nРеклама. Отказ: СТОП в ответ", encoding: 'UCS-2', segments: 1, cost: 3.5, sendAfter: null });
    const newYork = plan.find((d) => d.contactId === c.newYork.id);
    expect(newYork).toMatchObject({ cost: 6 });
  });

  it('adds the footer in the language of each recipient even when their texts are the same', async () => {
    const store = new MemoryStore();
    const ru = makeContact({ phone: '+79120000011', firstName: 'Ann', country: 'RU', timezone: 'Europe/Moscow', timezoneSource: 'city', birthDate: '1990-01-01' });
    const us = makeContact({ phone: '+12125550111', firstName: 'Ann', country: 'US', timezone: 'Europe/Moscow', timezoneSource: 'explicit', birthDate: '1990-01-01' });
    const again = makeContact({ phone: '+79120000012', firstName: 'Ann', country: 'RU', timezone: 'Europe/Moscow', timezoneSource: 'city', birthDate: '1990-01-01' });
    await store.contacts.upsertMany([ru, us, again]);
    await store.consent.append([ru, us, again].map((contact) => makeEntry({ contactId: contact.id, status: 'opted_in', at: '2026-01-01T00:00:00.000Z' })));
    const plan = await decisions(store, request({ variants: [{ name: 'A', text: 'Hi {{firstName}}, 20% off today', weight: 1 }] }));
    const textOf = (contact: Contact) => {
      const d = plan.find((x) => x.contactId === contact.id);
      return d?.action === 'send' ? d.text : d?.action;
    };
    expect(textOf(ru)).toBe('Hi Ann, 20% off today\nРеклама. Отказ: СТОП в ответ');
    expect(textOf(again)).toBe(textOf(ru));
    expect(textOf(us)).toBe('Hi Ann, 20% off today\nAd. Reply STOP to opt out');
  });

  it('defers quiet-hour recipients to the end of their local night instead of dropping them', async () => {
    const { store, c } = await seeded();
    const plan = await decisions(store, request());
    // 02:00 in New York: deferred to 09:00 local = 14:00 UTC.
    expect(plan.find((d) => d.contactId === c.newYork.id)).toMatchObject({ action: 'send', sendAfter: '2026-11-27T14:00:00.000Z' });
    const transactional = await decisions(store, request({ kind: 'transactional', variants: [{ name: 'A', text: 'Заказ готов', weight: 1 }] }));
    expect(transactional.find((d) => d.contactId === c.newYork.id)).toMatchObject({ action: 'send', sendAfter: null, text: 'Заказ готов' });
    expect(transactional.find((d) => d.contactId === c.unknownConsent.id)).toMatchObject({ action: 'send' });
    expect(transactional.find((d) => d.contactId === c.stopped.id)).toMatchObject({ action: 'excluded', reason: 'opted_out' });
  });

  it('takes explicit numbers: invalid, landline and repeated ones are excluded with their reason', async () => {
    const { store, c } = await seeded();
    const plan = await decisions(store, request({ kind: 'transactional', variants: [{ name: 'A', text: 'Код: 1234', weight: 1 }], audience: { phones: [c.moscow.phone, '8 (912) 000-00-01', 'abc', '+74951234567', c.moscow.phone] } }));
    expect(plan.map((d) => (d.action === 'excluded' ? d.reason : d.action))).toEqual(['invalid_number', 'not_mobile', 'duplicate', 'send', 'send']);
    expect(plan.find((d) => d.phone === '+79120000001')).toMatchObject({ action: 'send', contactId: 'phone:+79120000001' });
  });

  it('assigns A/B variants deterministically and by weight', async () => {
    const pick = createVariantPicker('spring', [{ name: 'A', text: 'a', weight: 3 }, { name: 'B', text: 'b', weight: 1 }]);
    const ids = Array.from({ length: 4000 }, (_, i) => `contact-${i}`);
    const first = ids.map((id) => pick(id).name);
    expect(ids.map((id) => pick(id).name)).toEqual(first);
    const shareA = first.filter((n) => n === 'A').length / ids.length;
    expect(shareA).toBeGreaterThan(0.71);
    expect(shareA).toBeLessThan(0.79);
    const other = createVariantPicker('autumn', [{ name: 'A', text: 'a', weight: 3 }, { name: 'B', text: 'b', weight: 1 }]);
    expect(ids.map((id) => other(id).name)).not.toEqual(first);
  });

  it('summarises: audience, send now, deferred, exclusions by reason, segments, cost, variants, samples', async () => {
    const { store } = await seeded();
    const summary = await previewCampaign(
      request({ variants: [{ name: 'A', text: 'Привет{{#firstName}}, {{firstName}}{{/firstName}}!', weight: 1 }, { name: 'B', text: 'Hello!', weight: 1 }] }),
      { ...deps(store), currency: 'RUB' },
    );
    expect(summary).toMatchObject({ audience: 8, toSend: 4, sendNow: 3, excludedTotal: 4, excluded: { minor: 1, opted_out: 1, no_consent: 1, frequency_cap: 1 } });
    expect(summary.deferred).toEqual({ count: 1, earliest: '2026-11-27T14:00:00.000Z', latest: '2026-11-27T14:00:00.000Z' });
    expect((summary.variants.A?.recipients ?? 0) + (summary.variants.B?.recipients ?? 0)).toBe(4);
    expect(summary.segments).toBe(Object.values(summary.variants).reduce((n, v) => n + v.segments, 0));
    expect(summary.encodings['GSM-7'] + summary.encodings['UCS-2']).toBe(4);
    expect(summary.samples).toHaveLength(3);
  });

  it('refuses a bad sender id and an unknown template variable before planning', async () => {
    const { store } = await seeded();
    await expect(decisions(store, request({ sender: 'THIS NAME IS TOO LONG' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(decisions(store, request({ variants: [{ name: 'A', text: 'Hi {{frstName}}', weight: 1 }] }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('firstName'),
    });
  });

  it('marks contacts whose zone is a guess and keeps them inside the window in every candidate zone', async () => {
    const store = new MemoryStore();
    const unsure = makeContact({ phone: '+12125550199', country: 'US' });
    await store.contacts.upsertMany([unsure]);
    await store.consent.append([makeEntry({ contactId: unsure.id })]);
    const summary = await previewCampaign(request({ variants: [{ name: 'A', text: 'Hi!', weight: 1 }] }), { ...deps(store), currency: 'RUB' });
    expect(summary.uncertainTimezone).toBe(1);
    expect(summary.deferred.count).toBe(1);
  });
});
