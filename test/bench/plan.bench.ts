import { pathToFileURL } from 'node:url';
import { previewCampaign } from '../../src/campaigns/preview.js';
import type { Contact } from '../../src/contacts/contact.js';
import type { ConsentEntry } from '../../src/consent/consent.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';

const CITIES: Array<[string, string]> = [['Москва', 'Europe/Moscow'], ['Владивосток', 'Asia/Vladivostok'], ['Калининград', 'Europe/Kaliningrad'], ['Новосибирск', 'Asia/Novosibirsk'], ['', '']];

/**
 * Plans a marketing campaign for 100,000 contacts: segment filter, consent, age, frequency cap, quiet
 * hours, A/B pick, mustache render, ad footer, segment count and cost; the summary is all it keeps.
 */
export async function benchPlan(count = 100_000): Promise<{ recipients: number; perSecond: number; cpuSeconds: number; peakRssMb: number; toSend: number }> {
  const store = new MemoryStore();
  const contacts: Contact[] = [];
  const entries: ConsentEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const [city, zone] = CITIES[i % CITIES.length] as [string, string];
    contacts.push({
      id: `c${String(i).padStart(7, '0')}`, phone: `+7912${String(i).padStart(7, '0')}`, firstName: i % 7 ? 'Анна' : undefined,
      birthDate: `19${60 + (i % 45)}-0${1 + (i % 9)}-1${i % 9}`, country: 'RU', interests: i % 3 ? ['спорт'] : [], tags: [], properties: {},
      ...(city ? { city, timezone: zone, timezoneSource: 'city' as const } : {}), createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    });
    if (i % 10) entries.push({ id: `e${i}`, contactId: `c${String(i).padStart(7, '0')}`, status: 'opted_in', scope: 'marketing', origin: 'import', source: 'bench', at: '2026-01-01T00:00:00.000Z' });
  }
  await store.contacts.upsertMany(contacts);
  await store.consent.append(entries);
  contacts.length = 0;
  entries.length = 0;

  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await previewCampaign(
    {
      campaignId: 'bench', audience: { filter: { or: [{ field: 'interests', op: 'has_any', value: ['спорт'] }, { field: 'city', op: 'is_known' }] } },
      variants: [
        { name: 'A', text: 'Здравствуйте{{#firstName}}, {{firstName}}{{/firstName}}! Скидка 20% до воскресенья.', weight: 1 },
        { name: 'B', text: 'Привет{{#firstName}}, {{firstName}}{{/firstName}}! Скидка 15% на всё.', weight: 1 },
      ],
      kind: 'marketing', sender: 'SHOP', at: new Date('2026-11-27T16:00:00Z'),
    },
    { store, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 3.5 } }, currency: 'RUB' },
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { recipients: summary.audience, perSecond: summary.audience / seconds, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024, toSend: summary.toSend };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchPlan()));
