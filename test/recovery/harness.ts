import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Campaign } from '../../src/campaigns/campaign.js';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { fixedClock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { silentLogger } from '../../src/common/logger.js';
import type { GatewayEvent, SmsGateway } from '../../src/delivery/gateway.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { DeliveryEngine } from '../../src/engine.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { EventInbox } from '../../src/store/lowdb/event-inbox.js';
import type { Store } from '../../src/store/port.js';

export function tempDataDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function makeCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'camp1', name: 'Recovery', status: 'sending', kind: 'marketing', audience: { phones: [] }, variants: [{ name: 'A', text: 'Hi', weight: 1 }],
    campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
    createdAt: '2026-11-27T06:00:00.000Z', updatedAt: '2026-11-27T06:00:00.000Z', ...overrides,
  } as Campaign;
}

/** A delivery engine over the given store, with one gateway (others are "not configured"). */
export async function makeEngine(options: { store: Store; clock: ReturnType<typeof fixedClock>; gateway: SmsGateway; dir: string; logger?: Logger; leaseCheckMs?: number }): Promise<{ engine: DeliveryEngine; campaigns: CampaignService; inbox: EventInbox<GatewayEvent> }> {
  const { store, clock, gateway } = options;
  const gatewayOf = (name: string): SmsGateway => {
    if (name !== gateway.id) throw new Error(`Unknown gateway "${name}".`);
    return gateway;
  };
  let n = 0;
  const newId = (): string => `id-${(n += 1)}`;
  const campaigns = new CampaignService({ store, clock, newId, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: gatewayOf, testSendRequiredAbove: 1_000_000 });
  const inbox = await EventInbox.open<GatewayEvent>(path.join(options.dir, `events-${Math.random().toString(36).slice(2)}.jsonl`));
  const engine = new DeliveryEngine({
    store, clock, timers: manualTimers(clock), logger: options.logger ?? silentLogger, newId, random: () => 0.5, gateway: gatewayOf, campaigns, inbox,
    ...(options.leaseCheckMs !== undefined ? { leaseCheckMs: options.leaseCheckMs } : {}),
  });
  return { engine, campaigns, inbox };
}

/** A logger that keeps every line, for assertions. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string; obj: object }> } {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  const at = (level: string) => (obj: object, msg = ''): void => {
    lines.push({ level, msg, obj });
  };
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}
