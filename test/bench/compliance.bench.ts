/**
 * Throughput of the per-recipient compliance gate: 100,000 checks for one planned `at`, over
 * contacts with explicit zones, known cities, multi-zone countries without a city and nothing at
 * all, mixed consent, birth dates and send history. A fresh checker is timed, so the memo starts
 * cold as it does for a real plan. Run: npx tsx test/bench/compliance.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Contact } from '../../src/contacts/contact.js';
import type { ConsentState } from '../../src/consent/consent.js';
import { createRecipientChecker, type RecipientCheckInput } from '../../src/messages/compliance/decide.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/policy.js';

const CHECKS = 100_000;
const DAY = 86_400_000;

type Place = Pick<Contact, 'timezone' | 'city' | 'country'>;
const PLACES: Place[] = [
  { timezone: 'Europe/Moscow', country: 'RU' },
  { city: 'Москва', country: 'RU' },
  { city: 'Владивосток', country: 'RU' },
  { city: 'Новосибирск', country: 'RU' },
  { city: 'Екатеринбург', country: 'RU' },
  { city: 'Калининград', country: 'RU' },
  { country: 'RU' },
  { country: 'US' },
  { timezone: 'America/New_York', country: 'US' },
  { timezone: 'America/Los_Angeles', country: 'US' },
  { country: 'KZ' },
  { country: 'DE' },
  {},
];
const CONSENTS: ConsentState[] = [
  { marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false },
  { marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false },
  { marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false },
  { marketing: 'unknown', transactionalAllowed: true, lockedByRecipient: false },
  { marketing: 'opted_out', transactionalAllowed: true, lockedByRecipient: true },
];

function inputs(at: Date): RecipientCheckInput[] {
  return Array.from({ length: CHECKS }, (_, i) => {
    const place = PLACES[i % PLACES.length] ?? {};
    const birthDate = i % 4 === 0 ? undefined : `${1950 + (i % 65)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const contact: Contact = {
      id: `c-${i}`,
      phone: `+7912${String(i).padStart(7, '0')}`,
      ...place,
      ...(birthDate === undefined ? {} : { birthDate }),
      interests: [],
      tags: [],
      properties: {},
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const previousMarketing = Array.from({ length: i % 3 }, (_, k) => new Date(at.getTime() - (k * 3 + 1 + (i % 5)) * DAY));
    return {
      contact,
      consent: CONSENTS[i % CONSENTS.length],
      kind: i % 10 === 0 ? 'transactional' : 'marketing',
      at,
      previousMarketing,
      defaultZone: 'Europe/Moscow',
    };
  });
}

function run(all: readonly RecipientCheckInput[]): { seconds: number; allowed: number } {
  const check = createRecipientChecker(DEFAULT_POLICY);
  let allowed = 0;
  const started = performance.now();
  for (const input of all) if (check(input).ok) allowed += 1;
  return { seconds: (performance.now() - started) / 1000, allowed };
}

export async function benchCompliance(): Promise<{ checks: number; perSecond: number }> {
  // Warm-up on another `at` so the JIT has compiled the paths before timing.
  run(inputs(new Date('2026-06-01T08:00:00Z')).slice(0, 20_000));
  const { seconds, allowed } = run(inputs(new Date('2026-06-01T19:30:00Z')));
  if (allowed === 0) throw new Error('benchmark allowed no recipient');
  return { checks: CHECKS, perSecond: Math.round(CHECKS / seconds) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchCompliance();
  console.log(`compliance: ${result.checks.toLocaleString('en')} recipient checks, ${result.perSecond.toLocaleString('en')}/s`);
}
