import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Contact } from '../../src/contacts/contact.js';
import { compileTemplate } from '../../src/messages/template.js';

/**
 * Template render throughput: 100,000 renders of a Russian template with two variables (a guarded
 * firstName with a fallback, and a campaign promo code) over generated contacts, one in five without
 * a first name so the fallback path is measured too. Run: `npx tsx test/bench/template.bench.ts`.
 */

const RENDERS = 100_000;
const NAMES = ['Юлия', 'Иван', 'Александра', 'Пётр', 'Екатерина', 'Михаил', 'Ольга', "O'Brien & Sons"];
const TEXT =
  'Здравствуйте{{#firstName}}, {{firstName}}{{/firstName}}{{^firstName}}, дорогой покупатель{{/firstName}}! ' +
  'Весенняя скидка 20% по промокоду {{promo}} до 31.03. Отписка: СТОП на 1234';

function contacts(count: number): Contact[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    phone: `+7912${String(i).padStart(7, '0')}`,
    ...(i % 5 === 0 ? {} : { firstName: NAMES[i % NAMES.length]! }),
    city: 'Москва',
    interests: ['спорт', 'кино'],
    tags: [],
    properties: { vip: i % 2 === 0 ? 'да' : 'нет' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }));
}

export async function benchTemplates(): Promise<{ renders: number; perSecond: number }> {
  const template = compileTemplate(TEXT, { name: 'bench', campaignVariables: ['promo'] });
  const base = contacts(RENDERS);
  const variables = { promo: 'ВЕСНА25' };
  let characters = 0;
  const run = (list: readonly Contact[]): void => {
    for (const contact of list) {
      const result = template.render(contact, variables);
      if (!result.ok) throw new Error(`unexpected missing ${result.missing.join(', ')}`);
      characters += result.text.length;
    }
  };
  // Warm-up so the JIT has compiled the render path before timing.
  run(base.slice(0, 10_000));
  const started = performance.now();
  run(base);
  const seconds = (performance.now() - started) / 1000;
  if (characters === 0) throw new Error('benchmark rendered nothing');
  return { renders: RENDERS, perSecond: Math.round(RENDERS / seconds) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchTemplates();
  console.log(`templates: ${result.renders.toLocaleString('en')} renders, ${result.perSecond.toLocaleString('en')}/s`);
}
