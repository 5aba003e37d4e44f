import type { Clock } from '../../src/common/clock.js';
import type { GatewayEvent, SmsGateway } from '../../src/delivery/gateway.js';
import type { Timers } from '../../src/delivery/timers.js';
import { createSimulatorGateway } from './simulator/index.js';

export interface GatewayDeps {
  clock: Clock;
  timers: Timers;
  /** Receipts and replies a gateway pushes itself (the simulator; later SMPP deliver_sm). */
  onEvents(events: GatewayEvent[]): void | Promise<void>;
}

/** Settings shared by every gateway, from the environment. */
export interface GatewaySettings {
  maxSegmentsPerSecond: number;
  seed?: string;
  /** Simulator timings, so a demo or a test need not wait for realistic receipt delays. */
  receiptDelayMs?: [number, number];
  replyDelayMs?: [number, number];
  replyRate?: number;
}

/** One line per gateway: adding a gateway means adding its folder and its line here. */
export const GATEWAYS: Record<string, (settings: GatewaySettings, deps: GatewayDeps) => SmsGateway> = {
  simulator: (settings, deps) =>
    createSimulatorGateway(
      {
        maxSegmentsPerSecond: settings.maxSegmentsPerSecond,
        ...(settings.seed ? { seed: settings.seed } : {}),
        ...(settings.receiptDelayMs ? { receiptDelayMs: settings.receiptDelayMs } : {}),
        ...(settings.replyDelayMs ? { replyDelayMs: settings.replyDelayMs } : {}),
        ...(settings.replyRate !== undefined ? { replyRate: settings.replyRate } : {}),
      },
      deps,
    ),
};
