import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaigns/campaign.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { AppError } from '../../src/common/errors.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { SmsGateway } from '../../src/delivery/gateway.js';
import { Reconciler, askGateways, resolveVerdicts } from '../../src/delivery/reconcile.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeOutboxRow } from '../helpers/factories.js';

const NOW = '2026-11-27T07:10:00.000Z';

function campaign(id: string, status: Campaign['status']): Campaign {
  return {
    id, name: id, status, kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Hi', weight: 1 }], campaignVariables: {},
    sender: 'SHOP', gateway: 'fake', schedule: { type: 'now' }, createdAt: NOW, updatedAt: NOW,
  };
}

async function setup(status: Campaign['status'] = 'sending') {
  const store = new MemoryStore();
  const clock = fixedClock(NOW);
  const fake = createFakeGateway({ clock });
  const blind: SmsGateway = { id: 'blind', capabilities: () => fake.capabilities(), send: fake.send };
  const gateways: Record<string, SmsGateway> = { fake, blind };
  const gateway = (name: string): SmsGateway => {
    const found = gateways[name];
    if (!found) throw new AppError('CONFIG_INVALID', `Unknown gateway "${name}".`);
    return found;
  };
  await store.campaigns.put(campaign('c1', status));
  // The attempt the fake gateway received before the process died; its answer never got recorded.
  const row = (contactId: string, gw: string) => makeOutboxRow({ campaignId: 'c1', contactId, gateway: gw, status: 'unknown', attempts: 1, attemptId: 'a-old', leaseUntil: '2026-11-27T07:02:00.000Z', updatedAt: '2026-11-27T07:02:00.000Z' });
  const received = row('r1', 'fake');
  const lost = row('r2', 'fake');
  const blindRow = row('r3', 'blind');
  const gone = row('r4', 'retired');
  await store.outbox.insertMany([received, lost, blindRow, gone]);
  const accepted = await fake.send({ messageId: received.id, to: received.phone, from: received.sender, text: received.text, encoding: received.encoding, segments: 1 });
  fake.sent.length = 0;
  return { store, clock, fake, gateway, received, lost, blindRow, gone, providerId: accepted.ok ? accepted.providerMessageId : '' };
}

describe('reconciliation of unknown messages', () => {
  it('a received one becomes submitted with its provider id; one never received is queued again and sent; the rest stay unknown', async () => {
    const ctx = await setup();
    const summary = await new Reconciler({ store: ctx.store, gateway: ctx.gateway, clock: ctx.clock, logger: silentLogger }).run();
    expect(summary).toEqual({ checked: 4, sent: 1, notReceived: 1, unresolved: 2 });
    const rows = await ctx.store.outbox.getMany([ctx.received.id, ctx.lost.id, ctx.blindRow.id, ctx.gone.id]);
    expect(rows.get(ctx.received.id)).toMatchObject({ status: 'submitted', providerMessageId: ctx.providerId, submittedAt: NOW });
    expect(rows.get(ctx.lost.id)).toMatchObject({ status: 'queued', requeuedAt: NOW, attempts: 1 });
    expect(rows.get(ctx.lost.id)?.leaseUntil).toBeUndefined();
    expect(rows.get(ctx.blindRow.id)?.status).toBe('unknown');
    expect(rows.get(ctx.gone.id)?.status).toBe('unknown');
    // The requeued one goes out again, once; the received one is not sent again.
    const dispatcher = new Dispatcher({
      store: ctx.store, gateway: ctx.gateway, clock: ctx.clock, timers: manualTimers(ctx.clock), logger: silentLogger, newId: () => 'a-new', random: () => 0.5,
      activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined,
    });
    expect(await dispatcher.runBatch()).toBe(1);
    expect(ctx.fake.sent.map((m) => m.messageId)).toEqual([ctx.lost.id]);
  });

  it('asks each row once per interval, not on every beat', async () => {
    const ctx = await setup();
    let asked = 0;
    const counting = (name: string): SmsGateway => {
      const gateway = ctx.gateway(name);
      return gateway.findSent ? { ...gateway, findSent: (query) => ((asked += 1), gateway.findSent!(query)) } : gateway;
    };
    const reconciler = new Reconciler({ store: ctx.store, gateway: counting, clock: ctx.clock, logger: silentLogger }, { retryMs: 60_000 });
    await reconciler.run();
    expect(asked).toBe(2);
    await reconciler.run();
    expect(asked).toBe(2);
  });

  it('in a finished campaign, a message never received is reported, not queued again (the operator decides)', async () => {
    const ctx = await setup('completed');
    const summary = await new Reconciler({ store: ctx.store, gateway: ctx.gateway, clock: ctx.clock, logger: silentLogger }).run();
    expect(summary).toMatchObject({ sent: 1, notReceived: 1 });
    expect((await ctx.store.outbox.getMany([ctx.lost.id])).get(ctx.lost.id)?.status).toBe('unknown');
  });

  it('applies the status the gateway knows, like a receipt', async () => {
    const ctx = await setup();
    ctx.fake.emitStatus(ctx.providerId, 'delivered');
    const verdicts = await askGateways({ store: ctx.store, gateway: ctx.gateway, clock: ctx.clock, logger: silentLogger }, [ctx.received]);
    const { rows } = resolveVerdicts(verdicts, NOW, { requeue: false });
    expect(rows[0]).toMatchObject({ status: 'delivered', providerMessageId: ctx.providerId });
  });
});
