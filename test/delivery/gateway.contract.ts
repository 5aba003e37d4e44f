import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryStatus, GatewayEvent, OutboundSms, SendResult, SentQuery, SmsGateway, StatusEvent, WebhookRequest } from '../../src/delivery/gateway.js';

/**
 * The behaviour every SmsGateway must show, whatever is behind it (simulator, in-memory fake, Twilio
 * or Vonage over nock, SMS.ru, an SMPP test server). Each adapter's test file supplies a harness that
 * arranges the next answer (`scenario`) and collects the receipts it produces.
 */
export interface GatewayScenario {
  /** The next send is accepted. */
  accept(): void;
  /** The next send is refused because the recipient number is invalid. */
  rejectInvalid(): void;
  /** The next send is refused by a rate limit that says to retry after `retryAfterMs`. */
  throttle(retryAfterMs: number): void;
  /** The gateway is unreachable or failing (5xx) for the next send. */
  serverDown(): void;
  /** The recipient has opted out at the carrier (e.g. Twilio 21610). */
  optedOut(): void;
  /** For gateways with `findSent` that are asked over the wire: the next question is answered from what was accepted. */
  sentLog?(): void;
}

/** Signed webhooks, for gateways with verifyWebhook; the suite fails if such a gateway's harness lacks them. */
export interface WebhookFixtures {
  /** The time the fixtures are verified at. */
  now: Date;
  /** A correctly signed, fresh status webhook. */
  valid(): WebhookRequest;
  /** The same webhook with the body changed after signing. */
  tampered(): WebhookRequest;
  /** A correctly signed webhook outside the replay window, for gateways that sign a timestamp. */
  stale?(): WebhookRequest;
}

export interface GatewayHarness {
  gateway: SmsGateway;
  scenario: GatewayScenario;
  /** Events the gateway produced so far (pushed to onEvents, or parsed from webhooks it sent). */
  events(): GatewayEvent[];
  /** Lets pending receipts arrive. */
  settle(): Promise<void>;
  close(): Promise<void>;
  webhooks?: WebhookFixtures;
  /** The gateway's clock, for questions about what it received since a time. */
  now?(): Date;
}

let sequence = 0;

/** A valid GSM-7 message with a fresh id; harnesses that match on the wire can rely on `to` and `from`. */
export function contractMessage(overrides: Partial<OutboundSms> = {}): OutboundSms {
  sequence += 1;
  return {
    messageId: `contract-${sequence}`,
    to: '+79123456789',
    from: 'SmsBridge',
    text: 'Hello from the gateway contract suite',
    encoding: 'GSM-7',
    segments: 1,
    ...overrides,
  };
}

// After acceptance a message is `submitted`; any of these moves it forward or keeps it there.
const FORWARD: ReadonlySet<DeliveryStatus> = new Set(['submitted', 'delivered', 'undelivered', 'failed', 'expired', 'rejected']);

function expectFailure(result: SendResult): Extract<SendResult, { ok: false }>['error'] {
  if (result.ok) throw new Error(`expected a failure, got ok with ${result.providerMessageId}`);
  expect(typeof result.error.message).toBe('string');
  return result.error;
}

function statusEventsFor(events: GatewayEvent[], providerMessageId: string): StatusEvent[] {
  return events.filter((event): event is StatusEvent => event.type === 'status' && event.providerMessageId === providerMessageId);
}

export function describeGatewayContract(name: string, makeHarness: () => Promise<GatewayHarness>): void {
  describe(`${name}: SmsGateway contract`, () => {
    let harness: GatewayHarness;
    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await harness.close();
    });

    it('accepts a send with a provider id, then reports a forward status for it', async () => {
      harness.scenario.accept();
      const message = contractMessage();
      const result = await harness.gateway.send(message);
      if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
      expect(result.providerMessageId).toMatch(/\S/);
      await harness.settle();
      const receipts = statusEventsFor(harness.events(), result.providerMessageId);
      expect(receipts.length).toBeGreaterThan(0);
      for (const receipt of receipts) {
        expect(receipt.gateway).toBe(harness.gateway.id);
        expect(FORWARD.has(receipt.status)).toBe(true);
        expect(receipt.key).toMatch(/\S/);
        expect(Number.isNaN(Date.parse(receipt.at))).toBe(false);
        if (receipt.messageId !== undefined) expect(receipt.messageId).toBe(message.messageId);
      }
    });

    it('gives two accepted sends distinct provider ids and distinct receipt keys', async () => {
      harness.scenario.accept();
      const first = await harness.gateway.send(contractMessage());
      harness.scenario.accept();
      const second = await harness.gateway.send(contractMessage());
      if (!first.ok || !second.ok) throw new Error('expected both sends to be accepted');
      expect(first.providerMessageId).not.toBe(second.providerMessageId);
      await harness.settle();
      const keys = [first, second].flatMap((r) => statusEventsFor(harness.events(), r.providerMessageId).map((e) => e.key));
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('returns an invalid recipient as a permanent invalid_number failure', async () => {
      harness.scenario.rejectInvalid();
      const error = expectFailure(await harness.gateway.send(contractMessage()));
      expect(error).toMatchObject({ code: 'invalid_number', retryable: false });
      expect(error.outcomeUnknown ?? false).toBe(false);
    });

    it('returns throttling as retryable, with the Retry-After the gateway gave', async () => {
      harness.scenario.throttle(1500);
      const error = expectFailure(await harness.gateway.send(contractMessage()));
      expect(error).toMatchObject({ code: 'throttled', retryable: true, retryAfterMs: 1500 });
    });

    it('returns an outage as retryable unavailable', async () => {
      harness.scenario.serverDown();
      const error = expectFailure(await harness.gateway.send(contractMessage()));
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    });

    it('returns an opted-out recipient as a permanent opted_out failure', async () => {
      harness.scenario.optedOut();
      const error = expectFailure(await harness.gateway.send(contractMessage()));
      expect(error).toMatchObject({ code: 'opted_out', retryable: false });
    });

    it('keeps working after a failed send: one bad number never breaks the batch', async () => {
      harness.scenario.rejectInvalid();
      expect((await harness.gateway.send(contractMessage())).ok).toBe(false);
      harness.scenario.serverDown();
      expect((await harness.gateway.send(contractMessage())).ok).toBe(false);
      harness.scenario.accept();
      expect((await harness.gateway.send(contractMessage())).ok).toBe(true);
    });

    it('says, when asked after a lost answer, that it received a message it accepted, and never that it received one it did not', async (context) => {
      const findSent = harness.gateway.findSent?.bind(harness.gateway);
      if (!findSent) return context.skip('the gateway cannot be asked what it received');
      const base = contractMessage();
      const message = { ...base, text: `Lost answer ${base.messageId}` };
      harness.scenario.accept();
      const result = await harness.gateway.send(message);
      if (!result.ok) throw new Error(`expected ok, got ${result.error.code}`);
      const since = new Date((harness.now?.() ?? new Date(0)).getTime() - 60_000);
      const ask = (query: SentQuery) => {
        harness.scenario.sentLog?.();
        return findSent(query);
      };
      const query: SentQuery = { messageId: message.messageId, to: message.to, from: message.from, text: message.text, since };
      // A gateway that can be asked only by the id it returned (SMPP query_sm) is asked with it.
      let found = await ask(query);
      if (found.found === 'cannot_tell') found = await ask({ ...query, providerMessageId: result.providerMessageId });
      expect(found).toMatchObject({ found: 'sent', providerMessageId: result.providerMessageId });
      const other = contractMessage();
      const never = await ask({ messageId: other.messageId, to: other.to, from: other.from, text: `Never sent ${other.messageId}`, since });
      expect(['not_received', 'cannot_tell']).toContain(never.found);
    });

    it('states a positive rate and in-flight limit', () => {
      const capabilities = harness.gateway.capabilities();
      expect(capabilities.maxSegmentsPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(capabilities.maxSegmentsPerSecond)).toBe(true);
      expect(Number.isInteger(capabilities.maxInFlight)).toBe(true);
      expect(capabilities.maxInFlight).toBeGreaterThan(0);
      if (capabilities.alphanumericSender.allowed) expect(capabilities.alphanumericSender.maxLength).toBeGreaterThan(0);
    });

    it('accepts a correctly signed webhook and refuses a tampered or stale one', async (context) => {
      const verify = harness.gateway.verifyWebhook?.bind(harness.gateway);
      if (!verify) return context.skip('the gateway receives no webhooks');
      const webhooks = harness.webhooks;
      if (!webhooks) throw new Error(`${name} verifies webhooks, so its harness must provide webhook fixtures`);
      expect(verify(webhooks.valid(), webhooks.now)).toBe(true);
      expect(verify(webhooks.tampered(), webhooks.now)).toBe(false);
      if (webhooks.stale) expect(verify(webhooks.stale(), webhooks.now)).toBe(false);
      const parsed = harness.gateway.parseStatus?.(webhooks.valid()) ?? [];
      for (const event of parsed) {
        expect(event.gateway).toBe(harness.gateway.id);
        expect(event.key).toMatch(/\S/);
      }
    });
  });
}
