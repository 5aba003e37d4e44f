/**
 * Throughput of normalizePhone on 100,000 distinct numbers in the shapes imports really contain:
 * Russian national/international forms, Excel artefacts, KZ/US/UK numbers, landlines and junk.
 * The import budget is 30,000 rows/s for everything, so this must stay far above that.
 * Run: npx tsx test/bench/phone.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { normalizePhone } from '../../src/contacts/phone.js';

const CALLS = 100_000;

function input(i: number): string {
  const n = String(1_000_000 + (i % 9_000_000)).slice(-7);
  const [a, b, c] = [n.slice(0, 3), n.slice(3, 5), n.slice(5, 7)];
  switch (i % 10) {
    case 0: return `8 (912) ${a}-${b}-${c}`;
    case 1: return `+7 916 ${a} ${b} ${c}`;
    case 2: return `7903${n}`;
    case 3: return `7926${n}.0`;
    case 4: return `'+7985${n}`;
    case 5: return `+7701${n}`;
    case 6: return `+1 (201) 555-${n.slice(0, 4)}`;
    case 7: return `+44 7400 ${n.slice(0, 6)}`;
    case 8: return `+7 495 ${a}-${b}-${c}`;
    default: return i % 20 === 9 ? 'нет' : '7.91234567E+10';
  }
}

export function benchPhones(): { calls: number; microsPerCall: number; perSecond: number; accepted: number } {
  const inputs = Array.from({ length: CALLS }, (_, i) => input(i));
  // Warm-up so metadata is loaded and the JIT has compiled the parser before timing.
  for (let i = 0; i < 10_000; i++) normalizePhone(inputs[i], 'RU');
  let accepted = 0;
  const started = performance.now();
  for (const raw of inputs) if (normalizePhone(raw, 'RU').ok) accepted += 1;
  const ms = performance.now() - started;
  return { calls: CALLS, microsPerCall: Math.round((ms * 1000 * 100) / CALLS) / 100, perSecond: Math.round(CALLS / (ms / 1000)), accepted };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = benchPhones();
  console.log(
    `phone: ${result.calls} numbers, ${result.microsPerCall} µs/call, ${result.perSecond.toLocaleString('en')}/s, ` +
      `${result.accepted} accepted`,
  );
}
