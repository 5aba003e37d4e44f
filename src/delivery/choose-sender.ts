import { AppError } from '../common/errors.js';
import type { SmsGateway } from './gateway.js';

export interface SenderChoice {
  sender: string;
  /** Where the phone will not show `sender` as is, one sentence each; empty when it is shown as is. */
  notes: string[];
}

const isName = (sender: string): boolean => !/^\+?\d+$/.test(sender);

/** What `gateway` will do with `sender`: its own notes, and a name it cannot carry at all. */
export function senderNotes(sender: string, gateway: SmsGateway): string[] {
  const notes = gateway.senderNotes?.(sender) ?? [];
  const { allowed, maxLength } = gateway.capabilities().alphanumericSender;
  if (isName(sender) && !allowed) notes.push(`The ${gateway.id} gateway cannot send from a name: "${sender}" will not be shown`);
  else if (isName(sender) && sender.length > maxLength) notes.push(`The ${gateway.id} gateway shows names of at most ${maxLength} characters: "${sender}" is longer`);
  return notes;
}

/**
 * The sender a campaign goes out with: the one asked for, else SMS_SENDER, else the gateway's own
 * (TWILIO_FROM, VONAGE_FROM, SMSRU_FROM, SMPP_SOURCE_ADDR); and what the phone will show instead
 * where the gateway or the destination cannot show it.
 */
export function chooseSender(requested: string | undefined, configured: string | undefined, gateway: SmsGateway): SenderChoice {
  const sender = requested ?? configured ?? gateway.defaultSender?.();
  if (!sender) {
    throw new AppError('VALIDATION_FAILED', `No sender id: the ${gateway.id} gateway has no sender configured.`, {
      hint: 'Pass a sender (--sender, or `sender` in the API), set SMS_SENDER, or set the gateway\'s own sender (TWILIO_FROM, VONAGE_FROM, SMSRU_FROM or SMPP_SOURCE_ADDR).',
      details: [{ path: 'body.sender', message: 'required: neither SMS_SENDER nor the gateway\'s own sender is set' }],
    });
  }
  return { sender, notes: senderNotes(sender, gateway) };
}

export interface RouteView {
  gateway(name: string): SmsGateway;
  /** Country → gateway (SMS_ROUTES); only the `default` gateway is routed. */
  routes: Readonly<Record<string, string>>;
}

/**
 * Sender notes for every gateway a campaign on `gatewayName` can go through: the gateway itself and,
 * for `default`, each gateway SMS_ROUTES sends some countries to. A gateway that cannot be built
 * (its variables unset) adds nothing here: sending through it fails with its own message.
 */
export function senderNotesAlongRoutes(sender: string, gatewayName: string, view: RouteView): string[] {
  const notes: string[] = [];
  let mainId: string | undefined;
  try {
    const main = view.gateway(gatewayName);
    mainId = main.id;
    notes.push(...senderNotes(sender, main));
  } catch {
    // Unknown or unconfigured: create and send say so themselves.
  }
  if (gatewayName !== 'default') return notes;
  const countriesBy = new Map<string, string[]>();
  for (const [country, name] of Object.entries(view.routes)) if (name !== mainId) countriesBy.set(name, [...(countriesBy.get(name) ?? []), country]);
  for (const [name, countries] of countriesBy) {
    try {
      for (const note of senderNotes(sender, view.gateway(name))) notes.push(`${countries.join(', ')} (SMS_ROUTES → ${name}): ${note}`);
    } catch {
      // As above.
    }
  }
  return notes;
}
