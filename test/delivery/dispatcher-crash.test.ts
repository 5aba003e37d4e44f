import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { seededRandom } from '../../src/common/random.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { SmsGateway } from '../../src/delivery/gateway.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeOutboxRow } from '../helpers/factories.js';

class Crash extends Error {}

/**
 * A store whose durable state is what the last flush saw: a "crash" throws away everything after it,
 * exactly what a killed process loses. The carrier (gateway) log lives outside and survives.
 */
function durableStore(rows: OutboxMessage[]) {
  let durable = rows.map((row) => ({ ...row }));
  const open = (crashOnFlush: () => boolean): MemoryStore => {
    const store = new MemoryStore();
    store.outbox.load(durable.map((row) => ({ ...row })));
    const flush = store.flush.bind(store);
    store.flush = async () => {
      if (crashOnFlush()) throw new Crash('killed before the write');
      await flush();
      durable = store.outbox.rowsOf('c1').map((row) => ({ ...row }));
    };
    return store;
  };
  return { open, durableRows: () => durable };
}

describe('dispatcher under crashes', () => {
  it('abandoned at random points many times: each recipient gets one message or an unknown row, never two', async () => {
    // Seeded, so every run of the test abandons at the same points.
    const random = seededRandom(20261127);
    for (let run = 0; run < 40; run += 1) {
      const recipients = 30 + Math.floor(random() * 40);
      const rows = Array.from({ length: recipients }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, sendAfter: '2026-11-27T07:00:00.000Z' }));
      const carrier = new Map<string, number>();
      const disk = durableStore(rows);
      const clock = fixedClock('2026-11-27T07:00:00.000Z');
      const timers = manualTimers(clock);
      let restarts = 0;

      for (let life = 0; life < 200; life += 1) {
        // This process dies at a random call: a flush (before or after the sends) or the k-th send.
        const flushesBeforeCrash = Math.floor(random() * 6);
        const sendsBeforeCrash = Math.floor(random() * 25);
        let flushes = 0;
        let sends = 0;
        let dead = false;
        const store = disk.open(() => !dead && (dead = ++flushes > flushesBeforeCrash));
        const gateway: SmsGateway = {
          id: 'simulator',
          capabilities: () => ({ maxSegmentsPerSecond: 1_000_000, maxInFlight: 8, unicode: true, alphanumericSender: { allowed: true, maxLength: 11 } }),
          send: async (message) => {
            if (dead || ++sends > sendsBeforeCrash) {
              dead = true;
              throw new Crash('killed during the call');
            }
            carrier.set(message.messageId, (carrier.get(message.messageId) ?? 0) + 1);
            // Sometimes the carrier took it but the process died before hearing back.
            if (random() < 0.1) {
              dead = true;
              throw new Crash('killed after the carrier accepted');
            }
            return { ok: true, providerMessageId: `P-${message.messageId}` };
          },
        };
        const dispatcher = new Dispatcher({
          store, gateway: () => gateway, clock, timers, logger: silentLogger, newId: () => `att-${run}-${life}`, random: () => 0.5,
          activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined, batchSize: 10, leaseMs: 60_000,
        });
        try {
          await dispatcher.recover();
          while ((await dispatcher.runBatch()) > 0) if (dead) throw new Crash('dead');
          if (!dead) break;
        } catch (error) {
          if (!(error instanceof Crash) && !dead) throw error;
        }
        restarts += 1;
        // The next process starts after the lease of anything the dead one was sending has run out.
        clock.advance(61_000);
      }

      const final = disk.durableRows();
      expect(final).toHaveLength(recipients);
      for (const row of final) {
        const received = carrier.get(row.id) ?? 0;
        expect(received, `run ${run}: ${row.contactId} received ${received}`).toBeLessThanOrEqual(1);
        expect(['submitted', 'unknown']).toContain(row.status);
        if (row.status === 'submitted') expect(received).toBe(1);
      }
      expect(restarts).toBeGreaterThan(0);
    }
  });
});
