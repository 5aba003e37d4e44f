import type { GatewayErrorCode } from '../../../src/delivery/gateway.js';
import type { SimulatorConfig } from './config.js';
import { randomFor } from './random.js';

export type FinalReceipt =
  | { status: 'delivered'; providerCode: 'DELIVRD' }
  | { status: 'undelivered'; providerCode: 'UNDELIV' }
  | { status: 'expired'; providerCode: 'EXPIRED' };

/** What the fake carrier will do with one message: decided up front, from the message's own stream. */
export type MessagePlan =
  | { accepted: false; code: GatewayErrorCode }
  | {
      accepted: true;
      receipt: FinalReceipt & { delayMs: number };
      /** Present when the recipient answers; only delivered messages get answers. */
      reply?: { text: string; delayMs: number };
    };

type PlanSettings = Pick<
  SimulatorConfig,
  'seed' | 'acceptRate' | 'rejectCodes' | 'deliveryRate' | 'receiptDelayMs' | 'replyRate' | 'replyTexts' | 'replyDelayMs'
>;

/**
 * The outcome for `messageId` under `settings`. Pure: the same seed and id always give the same plan.
 * Every value is drawn, in a fixed order, whether it is used or not, so changing one rate never
 * reshuffles the other outcomes (raising acceptRate does not change which messages get delivered).
 */
export function planOutcome(settings: PlanSettings, messageId: string): MessagePlan {
  const random = randomFor(settings.seed, messageId);
  const acceptDraw = random.next();
  const rejectCode = random.pick(settings.rejectCodes);
  const deliverDraw = random.next();
  const failure: FinalReceipt = random.next() < 0.5 ? { status: 'undelivered', providerCode: 'UNDELIV' } : { status: 'expired', providerCode: 'EXPIRED' };
  const receiptDelay = random.between(...settings.receiptDelayMs);
  const replyDraw = random.next();
  const replyText = random.pick(settings.replyTexts);
  const replyDelay = random.between(...settings.replyDelayMs);

  if (acceptDraw >= settings.acceptRate) return { accepted: false, code: rejectCode };
  if (deliverDraw >= settings.deliveryRate) return { accepted: true, receipt: { ...failure, delayMs: receiptDelay } };
  const receipt = { status: 'delivered', providerCode: 'DELIVRD', delayMs: receiptDelay } as const;
  if (replyDraw >= settings.replyRate) return { accepted: true, receipt };
  return { accepted: true, receipt, reply: { text: replyText, delayMs: replyDelay } };
}
