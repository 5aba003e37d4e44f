/**
 * Throughput of the encoding hot path on 100,000 rendered campaign messages: half a 140-character
 * Russian text (UCS-2, 3 segments), half a 200-character Latin one (GSM-7, 2 segments), each with a
 * different recipient name so nothing can be cached. Run: npx tsx test/bench/encoding.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { analyzeText, countSegments } from '../../src/messages/encoding.js';

const MESSAGES = 100_000;
const RU_NAMES = ['Юлия', 'Иван', 'Александра', 'Пётр', 'Екатерина', 'Михаил', 'Ольга', 'Святослав'];
const EN_NAMES = ['Julia', 'John', 'Alexandra', 'Peter', 'Catherine', 'Michael', 'Olga', 'Sebastian'];

function russian(i: number): string {
  const name = RU_NAMES[i % RU_NAMES.length]!;
  const text = `Здравствуйте, ${name}! Скидка ${10 + (i % 40)}% на всё до 31.12 по коду ZIMA${i % 1000}. Покажите SMS на кассе. Отписка: СТОП на 1234`;
  return text.padEnd(140, '.').slice(0, 140);
}

function latin(i: number): string {
  const name = EN_NAMES[i % EN_NAMES.length]!;
  const text = `Hi ${name}, your order #${100000 + i} has shipped and arrives Friday. Track it at https://ex.co/t/${i.toString(36)} - reply STOP to opt out. Questions? Call 0800 123 456, Mon-Fri 9am-6pm, we're happy to help!`;
  return text.padEnd(200, '.').slice(0, 200);
}

function rate(messages: readonly string[], run: (text: string) => number): number {
  let checksum = 0;
  const started = performance.now();
  for (const text of messages) checksum += run(text);
  const seconds = (performance.now() - started) / 1000;
  if (checksum === 0) throw new Error('benchmark produced no segments');
  return Math.round(messages.length / seconds);
}

export async function benchEncoding(): Promise<{ messages: number; perSecond: number; countSegmentsPerSecond: number }> {
  const messages = Array.from({ length: MESSAGES }, (_, i) => (i % 2 === 0 ? russian(i) : latin(i)));
  // Warm-up so the JIT has compiled both paths before timing.
  rate(messages.slice(0, 10_000), (t) => analyzeText(t).segments);
  rate(messages.slice(0, 10_000), (t) => countSegments(t).segments);
  const countSegmentsPerSecond = rate(messages, (t) => countSegments(t).segments);
  // perSecond is the full analyzeText (parts + offending characters), the heavier of the two.
  const perSecond = rate(messages, (t) => analyzeText(t).segments);
  return { messages: MESSAGES, perSecond, countSegmentsPerSecond };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchEncoding();
  console.log(
    `encoding: ${result.messages} messages, analyzeText ${result.perSecond.toLocaleString('en')}/s, ` +
      `countSegments ${result.countSegmentsPerSecond.toLocaleString('en')}/s`,
  );
}
