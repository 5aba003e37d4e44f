import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { seededRandom } from '../../src/common/random.js';
import { isAppError } from '../../src/common/errors.js';
import { mapColumns } from '../../src/contacts/columns.js';
import type { SheetRow } from '../../src/contacts/files/sheet.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { consentAllows } from '../../src/consent/ledger.js';
import { recordConsent } from '../../src/consent/record-consent.js';
import { EventIngestor } from '../../src/delivery/ingest-events.js';
import { planCampaign } from '../../src/campaigns/plan.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';

const PHONE = '+79123456789';

type Step =
  | { kind: 'import'; consent: 'да' | 'нет' | '' }
  | { kind: 'sync'; status: 'opted_in' | 'opted_out' }
  | { kind: 'reply'; text: 'STOP' | 'СТОП' | 'START' | 'СТАРТ' | 'ДА' | 'спасибо' }
  | { kind: 'operatorOut'; by: 'recipient' | 'operator'; scope: 'all' | 'marketing' }
  | { kind: 'operatorIn'; evidence: boolean };

function randomStep(random: () => number): Step {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  switch (pick(['import', 'sync', 'reply', 'operatorOut', 'operatorIn'] as const)) {
    case 'import':
      return { kind: 'import', consent: pick(['да', 'нет', ''] as const) };
    case 'sync':
      return { kind: 'sync', status: pick(['opted_in', 'opted_in', 'opted_out'] as const) };
    case 'reply':
      return { kind: 'reply', text: pick(['STOP', 'СТОП', 'START', 'СТАРТ', 'ДА', 'спасибо'] as const) };
    case 'operatorOut':
      return { kind: 'operatorOut', by: pick(['recipient', 'operator'] as const), scope: pick(['all', 'marketing'] as const) };
    case 'operatorIn':
      return { kind: 'operatorIn', evidence: random() < 0.5 };
  }
}

async function* rows(consent: string): AsyncIterable<SheetRow> {
  yield { row: 2, cells: [PHONE, 'Анна', consent] };
}

/**
 * Random sequences of imports, CRM syncs (source `hubspot`, appended straight to the ledger as a sync
 * may), STOP/START replies, operator opt-outs (either `--by`) and opt-ins with and without evidence:
 * after any opt-out, the contact is never messageable again (for marketing) unless a START from the
 * recipient or an evidenced opt-in came later, whatever else happened in between.
 */
describe('an opt-out is final until START or evidence (property)', () => {
  it.each(Array.from({ length: 60 }, (_, i) => i + 1))('random sequence %i', async (seed) => {
    const random = seededRandom(seed);
    const store = new MemoryStore();
    const clock = fixedClock('2026-03-01T10:00:00Z');
    let n = 0;
    const newId = (): string => `id-${seed}-${(n += 1)}`;
    const deps = { store, clock, newId };
    const ingestor = new EventIngestor({ store, clock, logger: silentLogger, newId, gateway: () => createFakeGateway(), consentRequests: { yesKeywords: ['ДА', 'YES'], windowHours: 72 } });
    await importContacts(rows(''), mapColumns(['phone', 'name', 'consent']), { defaultCountry: 'RU', sourceName: 'seed.csv' }, deps);
    const contactId = ((await store.contacts.getByPhones([PHONE])).get(PHONE) as { id: string }).id;
    // The model: is an opt-out standing that only the recipient or evidence may lift?
    let blocked = false;
    const history: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      clock.advance(60_000);
      const step = randomStep(random);
      history.push(JSON.stringify(step));
      switch (step.kind) {
        case 'import':
          await importContacts(rows(step.consent), mapColumns(['phone', 'name', 'consent']), { defaultCountry: 'RU', sourceName: `import ${i}.csv` }, deps);
          if (step.consent === 'нет') blocked = true;
          break;
        case 'sync':
          await store.consent.append([{ id: newId(), contactId, status: step.status, scope: 'marketing', origin: 'crm', source: 'hubspot', at: clock.now().toISOString() }]);
          if (step.status === 'opted_out') blocked = true;
          break;
        case 'reply':
          await ingestor.ingest([{ type: 'inbound', gateway: 'simulator', providerMessageId: `in-${i}`, from: PHONE, to: 'SHOP', text: step.text, at: clock.now().toISOString(), key: `in-${seed}-${i}` }]);
          if (step.text === 'STOP' || step.text === 'СТОП') blocked = true;
          if (step.text === 'START' || step.text === 'СТАРТ') blocked = false;
          break;
        case 'operatorOut':
          await recordConsent({ contactId, status: 'opted_out', scope: step.scope, origin: step.by, source: 'asked' }, deps);
          blocked = true;
          break;
        case 'operatorIn':
          try {
            await recordConsent({ contactId, status: 'opted_in', scope: 'marketing', origin: 'operator', source: 'form', ...(step.evidence ? { evidence: 'signed form' } : {}) }, deps);
          } catch (error) {
            if (!isAppError(error) || error.code !== 'CONFLICT') throw error;
            expect(step.evidence, history.join('\n')).toBe(false);
          }
          if (step.evidence) blocked = false;
          break;
      }
      const state = (await store.consent.currentMany([contactId])).get(contactId);
      if (blocked) expect(consentAllows(state, 'marketing'), history.join('\n')).toBe(false);
    }
    if (blocked) {
      const plan = planCampaign(
        { campaignId: 'p', audience: { phones: [PHONE] }, variants: [{ name: 'A', text: 'Скидка', weight: 1 }], kind: 'marketing', sender: 'SHOP', at: clock.now() },
        { store, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {} },
      );
      for await (const decision of plan) expect(decision, history.join('\n')).toMatchObject({ action: 'excluded', reason: 'opted_out' });
    }
  });
});
