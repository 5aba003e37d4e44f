import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Clock } from '../common/clock.js';
import type { Campaign } from '../campaigns/campaign.js';
import type { InboundRecord } from '../campaigns/report.js';
import type { ConsentEntry, ConsentState } from '../consent/consent.js';
import { hasOptOut } from '../consent/ledger.js';
import { phoneHash } from '../consent/suppression.js';
import type { OutboxMessage } from '../delivery/outbox.js';
import type { ConversionRecord } from '../outcomes/conversion.js';
import type { ClickRecord, IntegrationRecord, Store } from '../store/port.js';
import type { Contact } from './contact.js';

/** Everything held about one number (152-FZ art. 14, GDPR art. 15): `contacts export`. */
export interface PersonalDataExport {
  phone: string;
  contact: Contact | null;
  consent: ConsentState | null;
  consentHistory: ConsentEntry[];
  messages: OutboxMessage[];
  replies: InboundRecord[];
  /** Integrations' records about the number or the contact (a Slack reply thread). */
  integrations: IntegrationRecord[];
  /** True when the number is on the suppression list (an erased contact who had opted out). */
  suppressed: boolean;
  /** Clicks on the short links of the contact's messages (time, link, user agent). */
  clicks: ClickRecord[];
  /** The contact's orders (conversions): id, amount, time, source and the campaign credited. */
  orders: ConversionRecord[];
}

export interface ForgetResult {
  phone: string;
  contactErased: boolean;
  messagesRedacted: number;
  repliesRedacted: number;
  campaignsRedacted: number;
  /** Kept as a hash on the suppression list: the contact had opted out. */
  suppressed: boolean;
}

/** The message rows of a number or contact, across every campaign (test sends included). */
async function messagesOf(store: Store, phone: string, contactId: string | undefined): Promise<OutboxMessage[]> {
  const found: OutboxMessage[] = [];
  for (const campaign of await store.campaigns.list()) {
    for (let afterId: string | undefined; ; ) {
      const page = await store.outbox.listByCampaign(campaign.id, afterId === undefined ? { limit: 2000 } : { limit: 2000, afterId });
      if (page.length === 0) break;
      for (const row of page) if (row.phone === phone || (contactId !== undefined && row.contactId === contactId)) found.push(row);
      afterId = page[page.length - 1]?.id;
    }
  }
  return found;
}

async function repliesOf(store: Store, phone: string, contactId: string | undefined): Promise<InboundRecord[]> {
  return (await store.inbound.since('', Number.MAX_SAFE_INTEGER)).filter((r) => r.from === phone || (contactId !== undefined && r.contactId === contactId));
}

export async function exportPersonalData(store: Store, phone: string): Promise<PersonalDataExport> {
  const contact = (await store.contacts.getByPhones([phone])).get(phone);
  const [consent, consentHistory, messages, replies, suppression] = await Promise.all([
    contact ? store.consent.currentMany([contact.id]) : Promise.resolve(new Map<string, ConsentState>()),
    contact ? store.consent.history(contact.id) : Promise.resolve([]),
    messagesOf(store, phone, contact?.id),
    repliesOf(store, phone, contact?.id),
    store.suppressions.get(phoneHash(phone)),
  ]);
  const integrations = (await store.integrationState.list()).filter((record) => {
    const text = JSON.stringify(record.data);
    return text.includes(phone) || (contact !== undefined && text.includes(contact.id));
  });
  const clicks: ClickRecord[] = [];
  const messageIds = new Set(messages.map((m) => m.id));
  for (const campaignId of new Set(messages.map((m) => m.campaignId))) {
    for (const click of await store.clicks.listByCampaign(campaignId)) if (messageIds.has(click.messageId) || (contact !== undefined && click.contactId === contact.id)) clicks.push(click);
  }
  const orders = contact ? await store.conversions.listByContact(contact.id) : [];
  return {
    phone, contact: contact ?? null, consent: (contact && consent.get(contact.id)) ?? null, consentHistory, messages, replies, integrations, suppressed: suppression !== undefined, clicks, orders,
  };
}

/** The spellings of a number that files may hold: E.164, international digits, the national number. */
export function phoneSpellings(e164: string): string[] {
  const digits = e164.slice(1);
  const nationalNumber = parsePhoneNumberFromString(e164)?.nationalNumber;
  return [...new Set([e164, digits, ...(nationalNumber && nationalNumber.length >= 6 ? [nationalNumber] : [])])].sort((a, b) => b.length - a.length);
}

/**
 * Erases a person's data (152-FZ art. 21, GDPR art. 17): the contact and its consent ledger; the
 * number, contact id and text of every message and reply (statuses, costs and times stay for the
 * reports); the number in campaign audiences; then any copy left in the store's files. When an
 * opt-out stood, the number's hash goes on the suppression list first, so the person is never
 * messaged again and a re-import of the number stays opted out.
 */
export async function forgetPersonalData(store: Store, clock: Clock, phone: string): Promise<ForgetResult> {
  const contact = (await store.contacts.getByPhones([phone])).get(phone);
  const state = contact && (await store.consent.currentMany([contact.id])).get(contact.id);
  const hash = phoneHash(phone);
  const alreadySuppressed = (await store.suppressions.get(hash)) !== undefined;
  const suppressed = Boolean(state && hasOptOut(state)) || alreadySuppressed;
  if (state && hasOptOut(state) && !alreadySuppressed) {
    await store.suppressions.put({ id: hash, scope: state.transactionalAllowed ? 'marketing' : 'all', at: clock.now().toISOString() });
  }
  const match = { phone, ...(contact ? { contactId: contact.id } : {}) };
  // Their replies' texts, to blank in the raw event inbox too (short keywords such as СТОП are nobody's data).
  const replyTexts = (await repliesOf(store, phone, contact?.id)).map((r) => r.text).filter((text) => text.length >= 6);
  const redactedId = `erased:${hash.slice(0, 12)}`;
  const messagesRedacted = await store.outbox.erase(match, { phone: 'erased', contactId: redactedId, text: '[erased]' });
  const repliesRedacted = await store.inbound.erase(match, 'erased');
  if (contact) {
    // Clicks, short links and holdouts name the contact by id: redacted like the messages, so counts stay.
    await store.clicks.erase(contact.id, redactedId);
    await store.links.erase(contact.id, redactedId);
    await store.conversions.erase(contact.id, redactedId);
    for (const holdout of await store.holdouts.list()) {
      if (holdout.contactIds.includes(contact.id)) await store.holdouts.put({ ...holdout, contactIds: holdout.contactIds.map((id) => (id === contact.id ? redactedId : id)) });
    }
  }
  let campaignsRedacted = 0;
  for (const campaign of await store.campaigns.list()) {
    if (!('phones' in campaign.audience) || !campaign.audience.phones.includes(phone)) continue;
    const audience: Campaign['audience'] = { phones: campaign.audience.phones.map((p) => (p === phone ? 'erased' : p)) };
    await store.campaigns.put({ ...campaign, audience });
    campaignsRedacted += 1;
  }
  // Integrations' own records (a Slack reply thread per contact) name the number or the contact.
  for (const record of await store.integrationState.list()) {
    const text = JSON.stringify(record.data);
    if (text.includes(phone) || (contact && text.includes(contact.id))) await store.integrationState.delete(record.id);
  }
  if (contact) {
    await store.consent.forget(contact.id);
    await store.contacts.deleteMany([contact.id]);
  }
  await store.flush();
  await store.scrub?.(phoneSpellings(phone), replyTexts);
  return { phone, contactErased: Boolean(contact), messagesRedacted, repliesRedacted, campaignsRedacted, suppressed };
}
