import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import type { InboundEvent } from '../../src/delivery/gateway.js';
import { EventIngestor } from '../../src/delivery/ingest-events.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { INBOUND_KEYS_KEPT, MemoryInbound } from '../../src/store/memory/memory-inbound.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { tempDataDir } from './harness.js';

let dataDir: string;
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const help: InboundEvent = { type: 'inbound', gateway: 'simulator', providerMessageId: 'SM1', from: '+79120000001', to: 'SHOP', text: 'HELP', at: '2026-11-27T10:00:00.000Z', key: 'simulator:inbound:SM1' };

describe('inbound de-duplication across a restart', () => {
  it('a signed HELP replayed after a restart is not answered again', async () => {
    dataDir = tempDataDir('smsb-inbound-');
    const gateway = createFakeGateway({ id: 'simulator' });
    let n = 0;
    const ingestorOver = (store: LowdbStore): EventIngestor =>
      new EventIngestor({ store, clock: fixedClock('2026-11-27T10:00:00Z'), logger: silentLogger, newId: () => `n${(n += 1)}`, gateway: () => gateway });
    const first = await LowdbStore.open({ dataDir, maxBytes: 1 << 26 });
    await ingestorOver(first).ingest([help]);
    expect(gateway.sent.map((m) => m.to)).toEqual([help.from]);
    await first.close();

    const second = await LowdbStore.open({ dataDir, maxBytes: 1 << 26 });
    await ingestorOver(second).ingest([help]);
    expect(gateway.sent).toHaveLength(1);
    expect(await second.inbound.recent(10)).toHaveLength(1);
    // A different message from the same number is still answered.
    await ingestorOver(second).ingest([{ ...help, providerMessageId: 'SM2', key: 'simulator:inbound:SM2' }]);
    expect(gateway.sent).toHaveLength(2);
    await second.close();
  });

  it('remembers a bounded number of keys, dropping the oldest first', async () => {
    const inbound = new MemoryInbound(() => undefined, () => undefined);
    inbound.load(Array.from({ length: INBOUND_KEYS_KEPT + 5 }, (_, i) => ({ id: `r${i}`, at: '2026-11-27T10:00:00.000Z', from: '+7', text: 'hi', kind: 'reply' as const, key: `k${i}` })));
    expect(await inbound.seenKeys(['k0', 'k4', 'k5', `k${INBOUND_KEYS_KEPT + 4}`])).toEqual(new Set(['k5', `k${INBOUND_KEYS_KEPT + 4}`]));
  });
});
