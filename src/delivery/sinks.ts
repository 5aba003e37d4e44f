import type { GatewayEvent } from './gateway.js';

/**
 * Where receipts and replies fan out besides the store: the CRM timeline, Slack, workflow callbacks.
 * Each sink reads its own durable copy of the events, so a sink that is down catches up later without
 * holding back the others; `handle` is called with events in order and may be called again with the
 * same batch after a failure (sinks dedupe by `event.key`). Besides receipts and replies, sinks get one
 * event per send result (`<messageId>:sent:<status>`, see send-events.ts).
 */
export interface EventSink {
  readonly name: string;
  /** Which events the sink keeps a copy of (default: all); a sink that needs only replies skips every receipt. */
  wants?(event: GatewayEvent): boolean;
  handle(events: readonly GatewayEvent[]): Promise<void>;
  /** False while the sink waits out a backoff after a failure: the engine skips it that round. */
  ready?(): boolean;
}
