import type { Clock } from '../common/clock.js';
import { maskPhone } from '../common/mask.js';
import { normalizePhone } from '../contacts/phone.js';
import type { ClickRecord, Store } from '../store/port.js';
import type { Touch } from './attribution.js';
import { attribute, messageTouch, reachedContact } from './attribution.js';
import type { ConversionInput, ConversionOutcome, ConversionRecord, ConversionSource } from './conversion.js';

export interface RecordConversionsDeps {
  store: Store;
  clock: Clock;
  /** ATTRIBUTION_WINDOW_DAYS. */
  windowDays: number;
  defaultCountry: string;
  /** SMS_CURRENCY: the currency of an amount given without one. */
  currency: string;
}

export interface RecordConversionsResult {
  outcomes: ConversionOutcome[];
  recorded: number;
  duplicates: number;
  conflicts: number;
  unknownContacts: number;
}

const DAY_MS = 86_400_000;

/**
 * Records conversions, idempotent by order id: an order already recorded with the same contact,
 * amount and currency is a `duplicate` (counted once); with different ones a `conflict` (the first
 * stays, the caller is told). A conversion whose contact is unknown is not recorded. Each new one is
 * credited to a campaign (see attribution.ts) once, here: a report only reads the result.
 */
export async function recordConversions(inputs: readonly ConversionInput[], source: ConversionSource, deps: RecordConversionsDeps): Promise<RecordConversionsResult> {
  const now = deps.clock.now().toISOString();
  const contactIds = await resolveContacts(inputs, deps);
  const existing = await deps.store.conversions.getMany([...new Set(inputs.map((input) => input.orderId))]);
  const outcomes: ConversionOutcome[] = [];
  const fresh = new Map<string, ConversionRecord>();
  for (const [i, input] of inputs.entries()) {
    const contactId = contactIds[i];
    if (contactId === undefined) {
      const who = input.contactId !== undefined ? `contact ${input.contactId}` : `phone ${maskPhone(input.phone ?? '')}`;
      outcomes.push({ orderId: input.orderId, result: 'unknown_contact', reason: `No contact with ${who}: import or sync the contact first.` });
      continue;
    }
    const record: ConversionRecord = {
      id: input.orderId, contactId, amount: input.amount, currency: (input.currency ?? deps.currency).toUpperCase(),
      at: input.at === undefined ? now : new Date(input.at).toISOString(), source, recordedAt: now,
    };
    const earlier = existing.get(record.id) ?? fresh.get(record.id);
    if (earlier) {
      const difference = differs(earlier, record, input.at !== undefined);
      outcomes.push(difference
        ? { orderId: record.id, result: 'conflict', reason: `Order ${record.id} was recorded with ${difference}; the first record stands.` }
        : { orderId: record.id, result: 'duplicate', ...(earlier.attribution ? { attribution: earlier.attribution } : {}) });
      continue;
    }
    fresh.set(record.id, record);
    outcomes.push({ orderId: record.id, result: 'recorded' });
  }
  await attributeAll([...fresh.values()], deps);
  const inserted = await deps.store.conversions.insertNew([...fresh.values()]);
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.result !== 'recorded') continue;
    const attribution = fresh.get(outcome.orderId)?.attribution;
    outcomes[i] = inserted.has(outcome.orderId)
      ? { ...outcome, ...(attribution ? { attribution } : {}) }
      : { orderId: outcome.orderId, result: 'duplicate' };
  }
  const count = (result: ConversionOutcome['result']): number => outcomes.filter((o) => o.result === result).length;
  return { outcomes, recorded: count('recorded'), duplicates: count('duplicate'), conflicts: count('conflict'), unknownContacts: count('unknown_contact') };
}

/** What an order sent again changes, in words; undefined when it is the same order. */
function differs(earlier: ConversionRecord, again: ConversionRecord, atGiven: boolean): string | undefined {
  if (earlier.contactId !== again.contactId) return 'another contact';
  if (earlier.amount !== again.amount || earlier.currency !== again.currency) return `amount ${earlier.amount} ${earlier.currency}, not ${again.amount} ${again.currency}`;
  if (atGiven && earlier.at !== again.at) return `time ${earlier.at}, not ${again.at}`;
  return undefined;
}

/** The contact id of each input (undefined when unknown), looked up in two batches. */
async function resolveContacts(inputs: readonly ConversionInput[], deps: RecordConversionsDeps): Promise<Array<string | undefined>> {
  const phones = inputs.map((input) => {
    if (input.contactId !== undefined || input.phone === undefined) return undefined;
    const phone = normalizePhone(input.phone, deps.defaultCountry);
    return phone.ok ? phone.e164 : undefined;
  });
  const byId = await deps.store.contacts.getMany([...new Set(inputs.flatMap((input) => (input.contactId !== undefined ? [input.contactId] : [])))]);
  const byPhone = await deps.store.contacts.getByPhones([...new Set(phones.filter((p): p is string => p !== undefined))]);
  return inputs.map((input, i) => {
    if (input.contactId !== undefined) return byId.get(input.contactId)?.id;
    const phone = phones[i];
    return phone === undefined ? undefined : byPhone.get(phone)?.id;
  });
}

/**
 * Sets `attribution` on each record: the contact's touches are the marketing messages that reached
 * them, human clicks on those messages' links, and holdouts they were kept in. A click may come a
 * while after its message, so messages are looked up over twice the window (a click still has to
 * fall within the window before the order).
 */
async function attributeAll(records: readonly ConversionRecord[], deps: RecordConversionsDeps): Promise<void> {
  if (records.length === 0) return;
  const windowMs = deps.windowDays * DAY_MS;
  const earliest = records.reduce((min, r) => Math.min(min, Date.parse(r.at)), Number.POSITIVE_INFINITY);
  const since = new Date(earliest - 2 * windowMs);
  const contactIds = [...new Set(records.map((r) => r.contactId))];
  const messages = await deps.store.outbox.marketingSentTo(contactIds, since);
  const touches = new Map<string, Touch[]>();
  const add = (contactId: string, touch: Touch): void => {
    const list = touches.get(contactId);
    if (list) list.push(touch);
    else touches.set(contactId, [touch]);
  };
  const messageById = new Map<string, { contactId: string; variant: string }>();
  const campaigns = new Set<string>();
  for (const [contactId, rows] of messages) {
    for (const row of rows) {
      messageById.set(row.id, { contactId, variant: row.variant });
      campaigns.add(row.campaignId);
      if (reachedContact(row)) add(contactId, messageTouch(row));
    }
  }
  for (const campaignId of campaigns) {
    for (const click of await deps.store.clicks.listByCampaign(campaignId)) {
      const message = messageById.get(click.messageId);
      if (!click.human || !message || click.at < since.toISOString()) continue;
      add(message.contactId, clickTouch(click, message.variant));
    }
  }
  const wanted = new Set(contactIds);
  for (const holdout of await deps.store.holdouts.list()) {
    if (holdout.at < since.toISOString()) continue;
    for (const contactId of holdout.contactIds) if (wanted.has(contactId)) add(contactId, { campaignId: holdout.id, via: 'holdout', at: holdout.at });
  }
  for (const record of records) {
    const attribution = attribute(record.at, touches.get(record.contactId) ?? [], windowMs);
    if (attribution) record.attribution = attribution;
  }
}

function clickTouch(click: ClickRecord, variant: string): Touch {
  return { campaignId: click.campaignId, via: 'click', at: click.at, messageId: click.messageId, variant };
}
