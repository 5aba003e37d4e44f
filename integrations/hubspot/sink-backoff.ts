import type { Clock } from '../../src/common/clock.js';
import type { EventSink } from '../../src/delivery/sinks.js';

export interface BackoffOptions {
  /** First wait after a failure; doubled per failure in a row. Default 2 s. */
  baseMs?: number;
  /** Longest wait. Default 5 minutes. */
  maxMs?: number;
}

/**
 * A sink that, after a failure, asks the engine to skip it for a while (2 s, 4 s, … up to 5 minutes), so
 * a HubSpot outage costs a few calls instead of one per engine round. Its events wait in its durable
 * inbox meanwhile, and are delivered in order once HubSpot answers again.
 */
export function withBackoff(sink: EventSink, clock: Clock, options: BackoffOptions = {}): EventSink & { failures(): number } {
  const base = options.baseMs ?? 2000;
  const max = options.maxMs ?? 300_000;
  let failures = 0;
  let until = 0;
  return {
    name: sink.name,
    failures: () => failures,
    ready: () => clock.now().getTime() >= until,
    async handle(events) {
      try {
        await sink.handle(events);
        failures = 0;
        until = 0;
      } catch (error) {
        until = clock.now().getTime() + Math.min(max, base * 2 ** Math.min(failures, 20));
        failures += 1;
        throw error;
      }
    },
  };
}
