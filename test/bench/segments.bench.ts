import { pathToFileURL } from 'node:url';
import type { Contact } from '../../src/contacts/contact.js';
import { compileFilter, parseFilter } from '../../src/segments/index.js';

/**
 * Segment evaluation throughput: 100,000 generated contacts against a four-condition filter
 * (Cyrillic city, interests, birthday within a week in the contact's zone, a numeric property).
 * Run: `npx tsx test/bench/segments.bench.ts`.
 */

const CONTACTS = 100_000;
const ROUNDS = 10;
const CITIES = ['Москва', 'МОСКВА', 'москва ', 'Санкт-Петербург', 'Казань', 'Новосибирск', 'Владивосток', 'Калининград', 'Ёлкино'];
const ZONES = ['Europe/Moscow', 'Europe/Moscow', 'Europe/Moscow', 'Europe/Moscow', 'Europe/Moscow', 'Asia/Novosibirsk', 'Asia/Vladivostok', 'Europe/Kaliningrad', 'Asia/Yekaterinburg'];
const INTERESTS = ['спорт', 'музыка', 'кино', 'travel', 'books'];

/** A small deterministic generator, so every run measures the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function generate(count: number): Contact[] {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const cityIndex = Math.floor(next() * CITIES.length);
    const month = String(1 + Math.floor(next() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
    return {
      id: `c${i}`,
      phone: `+7912${String(i).padStart(7, '0')}`,
      firstName: 'Алёна',
      city: CITIES[cityIndex],
      timezone: ZONES[cityIndex],
      birthDate: `${1950 + Math.floor(next() * 55)}-${month}-${day}`,
      interests: [pick(INTERESTS), pick(INTERESTS)],
      tags: [],
      properties: { spent: `${Math.floor(next() * 5000)},${Math.floor(next() * 100)}` },
      createdAt: '2026-01-10T08:00:00.000Z',
      updatedAt: '2026-01-10T08:00:00.000Z',
    };
  });
}

export async function benchSegments(): Promise<{ contacts: number; perSecond: number }> {
  const contacts = generate(CONTACTS);
  const filter = parseFilter({
    and: [
      { field: 'city', op: 'eq', value: 'Москва' },
      { field: 'interests', op: 'has_any', value: ['спорт', 'кино'] },
      { field: 'birthDate', op: 'birthday_in_days', value: 7 },
      { field: 'properties.spent', op: 'gte', value: 1000 },
    ],
  });
  const predicate = compileFilter(filter, { now: new Date('2026-05-15T09:00:00Z'), zoneOf: (c) => c.timezone ?? 'Europe/Moscow' });
  let matched = 0;
  for (const contact of contacts) if (predicate(contact)) matched += 1; // warm-up: JIT and fold cache
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) for (const contact of contacts) predicate(contact);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = Math.round((CONTACTS * ROUNDS) / seconds);
  console.log(`segments: ${CONTACTS} contacts, ${matched} matched, ${perSecond.toLocaleString('en-US')} evaluations/s`);
  return { contacts: CONTACTS, perSecond };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await benchSegments();
}
