import type { Contact } from '../contacts/contact.js';
import type { ConsentEntry, ConsentState } from '../consent/consent.js';
import type { SuppressionRecord } from '../consent/suppression.js';
import type { Campaign } from '../campaigns/campaign.js';
import type { BirthdayAutomation } from '../campaigns/birthday.js';
import type { InboundRecord } from '../campaigns/report.js';
import type { InboundTally, OutboxAggregate } from '../campaigns/report-aggregate.js';
import type { MessageStatus, OutboxMessage } from '../delivery/outbox.js';
import type { Template } from '../messages/template-record.js';
import type { Segment } from '../segments/filter.js';
import type { ConversionRecord } from '../outcomes/conversion.js';

/**
 * The store port. Every method is async and batch-first, so that an embedded store and a
 * PostgreSQL store (one transaction per call) implement it alike and callers never loop over items
 * with one round trip each.
 *
 * A change resolves once it is applied: every later read sees it. `flush()` resolves once every
 * change applied so far is durable, so a caller that must not lose a change (a webhook before it
 * answers 2xx, a command before it exits) awaits `flush()`; concurrent callers share one write.
 * A store whose calls are durable when they resolve (PostgreSQL) flushes at once.
 */
export interface Store {
  readonly contacts: ContactRepository;
  readonly consent: ConsentRepository;
  readonly segments: NamedRepository<Segment>;
  readonly templates: NamedRepository<Template>;
  readonly outbox: OutboxRepository;
  readonly campaigns: RecordRepository<Campaign>;
  readonly inbound: InboundRepository;
  readonly automations: RecordRepository<BirthdayAutomation>;
  /** Birthday greetings already sent, keyed by greetingKey (once per contact per year). */
  readonly greetings: RecordRepository<GreetingRecord>;
  /** REST API responses per Idempotency-Key, so a retried request is answered, not repeated. */
  readonly idempotency: IdempotencyRepository;
  /** Small records an integration keeps across restarts (Slack: pending previews, approvals, reply threads). */
  readonly integrationState: RecordRepository<IntegrationRecord>;
  /** Hashed numbers of erased contacts who had opted out: never messaged again (see suppression.ts). */
  readonly suppressions: RecordRepository<SuppressionRecord>;
  /** Tracked short links of campaign messages, by code (one per link per message). */
  readonly links: LinkRepository;
  /** Clicks on tracked short links; every click is kept (people and link-preview fetchers). */
  readonly clicks: ClickRepository;
  /** Which contacts of a campaign's eligible audience were held out (never sent), keyed by campaign id. */
  readonly holdouts: RecordRepository<HoldoutRecord>;
  /** Orders (purchases, applications) by contacts, keyed by order id, with the campaign each is credited to. */
  readonly conversions: ConversionRepository;
  /**
   * Overwrites, in place, every remaining copy of these phone numbers in the store's own files
   * (journals, the event inbox) after their records were erased through the repositories, and the
   * given reply texts in the raw event inbox. Stores that keep no copies do nothing.
   */
  scrub?(phones: readonly string[], rawTexts?: readonly string[]): Promise<void>;
  /**
   * Folds a finished campaign's messages into their most compact form on disk now (the embedded store:
   * one compact record per message, its journal emptied), as archiving does. Stores that keep nothing
   * to fold do nothing.
   */
  compactCampaign?(campaignId: string): Promise<void>;
  /**
   * Optional: every contact, in scan order and pages, each page with what planning decides by beside
   * the contacts: their consent and (when `marketingSince` is given) their marketing send times since
   * then, as consent.currentMany and outbox.marketingSendTimes would give them. A database reads a page
   * of all three in one query; stores without it are read with scan() and those two look-ups.
   */
  planningPages?(options: PlanningScanOptions): AsyncIterable<PlanningPage>;
  /** Resolves once every change applied so far is durable; rejects if writing it failed. */
  flush(): Promise<void>;
  /** Flushes and releases the store (and its lock). */
  close(): Promise<void>;
  /** What kind of store this is and where it keeps its data, for `doctor` and logs. */
  describe(): StoreDescription;
  /**
   * How much the store holds against its size budget (every file that grows, for the embedded store).
   * Reading always works whatever the size; past the budget, sending and planning refuse (see
   * assertStoreRoom). Absent for stores without a budget.
   */
  usage?(): StoreUsage;
}

export interface StoreUsage {
  bytes: number;
  maxBytes: number;
}

export interface StoreDescription {
  kind: 'memory' | 'lowdb' | 'postgres';
  location: string;
  readOnly: boolean;
}

export interface PlanningScanOptions extends ScanOptions {
  /** Read each contact's marketing send times since this moment; absent: none are read (history is empty). */
  marketingSince?: Date;
}

/**
 * A page of contacts with their consent and marketing send times, keyed by contact id (absent: none).
 * The consent carries at least what decides a send (`marketing`, `transactionalAllowed`).
 */
export interface PlanningPage {
  contacts: Contact[];
  consent: Map<string, PlanningConsent>;
  history: Map<string, Date[]>;
}

/** The part of a contact's consent that decides whether a message may go (see consentAllows). */
export type PlanningConsent = Pick<ConsentState, 'marketing' | 'transactionalAllowed'>;

export interface ScanOptions {
  /** Items per yielded page. */
  batchSize?: number;
}

export interface ContactRepository {
  /** Inserts or replaces whole contacts, keyed by id. Merging is the caller's job (see mergeContact). */
  upsertMany(contacts: readonly Contact[]): Promise<void>;
  getMany(ids: readonly string[]): Promise<Map<string, Contact>>;
  /** Looks contacts up by E.164 number; the map is keyed by phone. */
  getByPhones(phones: readonly string[]): Promise<Map<string, Contact>>;
  count(): Promise<number>;
  /** Every contact, in pages, in a stable order (by id). */
  scan(options?: ScanOptions): AsyncIterable<Contact[]>;
  /** One page of contacts in a stable order, after the given id (exclusive). */
  list(options: { limit: number; afterId?: string }): Promise<Contact[]>;
  /** Removes contacts (personal data erasure); unknown ids are ignored. */
  deleteMany(ids: readonly string[]): Promise<void>;
  /** Optional: lets a re-import skip rows it already took in (see ContactImportKeys). */
  readonly importKeys?: ContactImportKeys;
}

/**
 * A key per contact naming the import row it last took in (a hash of the row's cells and the import's
 * settings). The contact equals what merging that row again would give, for as long as it keeps the
 * key: every other change of the contact (upsertMany, deleteMany) drops it. So a re-import finds its
 * unchanged rows by key without normalising or merging them.
 */
export interface ContactImportKeys {
  /** Contacts that still hold one of these keys, keyed by it. */
  lookup(keys: readonly string[]): Promise<Map<string, Contact>>;
  /**
   * Upserts the contacts (as upsertMany), then gives contacts (by id, among them or already stored) their
   * key; unknown ids are ignored. One call, so a store writes each contact once with its key.
   */
  upsertWithKeys(contacts: readonly Contact[], keys: ReadonlyMap<string, string>): Promise<void>;
}

export interface ConsentRepository {
  /** Appends ledger entries; the derived state of each touched contact is updated with them. */
  append(entries: readonly ConsentEntry[]): Promise<void>;
  /** The ledger of one contact, oldest first. */
  history(contactId: string): Promise<ConsentEntry[]>;
  /** Current state for each id; contacts with no entries are absent from the map. */
  currentMany(contactIds: readonly string[]): Promise<Map<string, ConsentState>>;
  /** Counts of current states across all contacts, for summaries. */
  summary(): Promise<ConsentSummary>;
  /** Removes a contact's whole ledger (personal data erasure: a suppression record keeps the opt-out). */
  forget(contactId: string): Promise<void>;
}

export interface ConsentSummary {
  optedIn: number;
  optedOutMarketing: number;
  optedOutAll: number;
}

/** Small, slowly changing things saved under a unique name (segments, templates). */
export interface NamedRepository<T extends { name: string }> {
  /** Inserts or replaces by name. */
  put(item: T): Promise<void>;
  get(name: string): Promise<T | undefined>;
  /** All items, by name. */
  list(): Promise<T[]>;
  /** Returns false when there was nothing by that name. */
  delete(name: string): Promise<boolean>;
}

/** Records with an id (campaigns, automations). */
export interface RecordRepository<T extends { id: string }> {
  put(item: T): Promise<void>;
  /**
   * Stores the item only if no record has its id; true when this call stored it. Atomic across every
   * process sharing the store: of two calls with one id at the same moment, exactly one gets true.
   */
  putIfAbsent(item: T): Promise<boolean>;
  get(id: string): Promise<T | undefined>;
  /** All records, oldest id first. */
  list(): Promise<T[]>;
  /** Returns false when there was nothing by that id. */
  delete(id: string): Promise<boolean>;
}

/** A greeting queued for a contact: `id` is its greetingKey, `at` when it was queued. */
export interface GreetingRecord {
  id: string;
  at: string;
}

/**
 * The first response to a REST request with an `Idempotency-Key` (`id`): the sha256 fingerprint of its
 * canonical JSON body, the status and body sent back, and when it was first answered.
 */
export interface IdempotencyRecord {
  id: string;
  fingerprint: string;
  status: number;
  body: unknown;
  at: string;
}

/** Idempotency records, which expire (IDEMPOTENCY_TTL_HOURS). */
export interface IdempotencyRepository extends RecordRepository<IdempotencyRecord> {
  /** Deletes the records first answered before `at` (ISO); returns how many. */
  deleteBefore(at: string): Promise<number>;
}

/**
 * One record an integration keeps: `id` is namespaced by the integration (`slack:pending:<id>`), `data`
 * is the integration's own JSON, validated by it when read back.
 */
export interface IntegrationRecord {
  id: string;
  data: unknown;
  at: string;
}

/**
 * The outbox: one row per message, partitioned per campaign. Every change of a message's state goes
 * through `updateMany` (or `claimDue`), batch-first; the PostgreSQL adapter claims with
 * `FOR UPDATE SKIP LOCKED`, so several instances can share the work.
 */
export interface OutboxRepository {
  insertMany(rows: readonly OutboxMessage[]): Promise<void>;
  /**
   * Optional: inserts a campaign's plan while it is being made, slice by slice, in one transaction:
   * every row once the slices end, none if they throw (or the process dies) before, so a start never
   * leaves half a plan and a plan of a million messages is never held at once. Stores without it are
   * given the gathered plan through insertMany (see insertPlan in src/campaigns/plan-writer.ts).
   */
  insertPlan?(slices: AsyncIterable<readonly OutboxMessage[]>): Promise<void>;
  /** Replaces rows by id (the caller computed the new state). */
  updateMany(rows: readonly OutboxMessage[]): Promise<void>;
  /**
   * Takes up to `limit` queued messages of the given campaigns that are due (retry or send-after time
   * reached), oldest due first, and marks them `sending` with the attempt id and a lease.
   */
  claimDue(options: { now: Date; limit: number; leaseMs: number; attemptId: string; campaignIds: ReadonlySet<string> }): Promise<OutboxMessage[]>;
  /** `sending` rows whose lease ran out (the process died mid-call) become `unknown`, and are returned. */
  expireLeases(now: Date): Promise<OutboxMessage[]>;
  getMany(ids: readonly string[]): Promise<Map<string, OutboxMessage>>;
  /** Keyed by provider message id. */
  getByProviderIds(gateway: string, providerIds: readonly string[]): Promise<Map<string, OutboxMessage>>;
  /** The last message sent to a number: a reply is linked to it. */
  lastToPhone(phone: string): Promise<OutboxMessage | undefined>;
  listByCampaign(campaignId: string, options: { limit: number; afterId?: string }): Promise<OutboxMessage[]>;
  /** Message counts by status (test sends excluded). */
  countByStatus(campaignId: string): Promise<Partial<Record<MessageStatus, number>>>;
  /**
   * What the campaign's messages that left cost so far (test sends excluded): rows submitted to a
   * gateway (whatever their receipt said since) and `unknown` ones, at their recorded (actual) cost.
   */
  spent(campaignId: string): Promise<number>;
  /**
   * When each contact's marketing messages were (or are planned to be) sent, since `since`, counting
   * every message that was not canceled, rejected or failed.
   */
  marketingSendTimes(contactIds: readonly string[], since: Date): Promise<Map<string, Date[]>>;
  /**
   * Each contact's marketing messages (test sends excluded) sent (submitted) at or after `since`,
   * whatever their status now: the candidates a conversion may be credited to.
   */
  marketingSentTo(contactIds: readonly string[], since: Date): Promise<Map<string, OutboxMessage[]>>;
  /**
   * A campaign's running totals (test sends excluded): counts by status and by variant, segments and
   * cost of what was submitted, spent, failures by code, partial deliveries, first/last send time and a
   * histogram of time to delivery (see report-aggregate.ts: applyRow defines each figure). Kept as rows
   * change, so reading it costs the same at any campaign size; an empty aggregate for an unknown
   * campaign. Plain JSON: a SQL store keeps it in a table or computes it with GROUP BY.
   */
  aggregate(campaignId: string): Promise<OutboxAggregate>;
  /**
   * Personal data erasure: every message to this contact or number (test sends included) keeps its
   * status, cost and times for the reports, but its number, contact id and text become `redacted`.
   * Returns how many rows changed.
   */
  erase(match: { contactId?: string; phone: string }, redacted: { phone: string; contactId: string; text: string }): Promise<number>;
}

/** Replies, opt-outs and other inbound messages, linked to the campaign they answer. */
export interface InboundRepository {
  append(records: readonly InboundRecord[]): Promise<void>;
  listByCampaign(campaignId: string): Promise<InboundRecord[]>;
  recent(limit: number): Promise<InboundRecord[]>;
  /** Up to `limit` records received after `at` (ISO; exclusive), oldest first. */
  since(at: string, limit: number): Promise<InboundRecord[]>;
  /**
   * Distinct recipients (contactId, else number) who replied or opted out to a campaign, in all and
   * by variant: the record's variant, else the variant of the message it answers; answers to a test
   * send are not counted. Erasing a record keeps it counted while the store runs; a store that rebuilds
   * the tally from its records (the embedded one, at start) counts the erased senders of a campaign as
   * one, as a report folded from the records always did.
   */
  tally(campaignId: string): Promise<InboundTally>;
  /** Personal data erasure: the sender's number, contact and text of matching records are removed (counts stay). */
  erase(match: { contactId?: string; phone: string }, redactedFrom: string): Promise<number>;
  /**
   * Which of these event keys already have an inbound record, so a replayed inbound is not handled
   * twice, even after a restart. Stores may forget keys older than a bound (the most recent 100,000).
   */
  seenKeys(keys: readonly string[]): Promise<Set<string>>;
}

/**
 * One tracked link of one message: `code` is the short link's path part (`/s/<code>`), `url` the link
 * as written in the campaign text (the redirect adds the campaign's UTM parameters to it).
 */
export interface ShortLink {
  code: string;
  campaignId: string;
  messageId: string;
  contactId?: string;
  url: string;
  /** A test send's link: it redirects, but its clicks are not recorded. */
  test?: boolean;
}

export interface LinkRepository {
  /** Inserts links; a code already stored is replaced. */
  insertMany(links: readonly ShortLink[]): Promise<void>;
  /** The links with these codes; unknown codes are absent from the map. */
  getMany(codes: readonly string[]): Promise<Map<string, ShortLink>>;
  /** Personal data erasure: the contact id of the contact's links becomes `redactedContactId` (links keep working). Returns how many. */
  erase(contactId: string, redactedContactId: string): Promise<number>;
}

/**
 * One request for a short link. `human: false` for link-preview fetchers, crawlers and HEAD requests:
 * kept, but not counted as a person's click.
 */
export interface ClickRecord {
  id: string;
  code: string;
  campaignId: string;
  messageId: string;
  contactId?: string;
  /** The link as written in the campaign text. */
  url: string;
  at: string;
  human: boolean;
  userAgent?: string;
}

export interface ClickRepository {
  append(records: readonly ClickRecord[]): Promise<void>;
  /** Every click on the campaign's links, oldest first. */
  listByCampaign(campaignId: string): Promise<ClickRecord[]>;
  /**
   * Personal data erasure: the contact's clicks keep their time, link and `human` (counts stay), their
   * contact id becomes `redactedContactId` and their user agent is removed. Returns how many.
   */
  erase(contactId: string, redactedContactId: string): Promise<number>;
}

/** The contacts of a campaign's eligible audience kept unsent to measure lift (`id` is the campaign id). */
export interface HoldoutRecord {
  id: string;
  contactIds: string[];
  /** The share held out, in percent (0 < percent < 100). */
  percent: number;
  at: string;
}

/**
 * Conversions, keyed by order id (`id`). Recording is insert-if-absent, so the same order sent twice
 * (a retried request, a re-imported file) is counted once; PostgreSQL: `INSERT … ON CONFLICT DO NOTHING
 * RETURNING id`.
 */
export interface ConversionRepository {
  /** Inserts the records whose id is not stored yet; returns the ids inserted. Stored records are left as they are. */
  insertNew(records: readonly ConversionRecord[]): Promise<Set<string>>;
  getMany(ids: readonly string[]): Promise<Map<string, ConversionRecord>>;
  /** The conversions credited to a campaign (`attribution.campaignId`), holdout group included. */
  listByCampaign(campaignId: string): Promise<ConversionRecord[]>;
  /** A contact's orders, oldest first (the right of access: `contacts export`). */
  listByContact(contactId: string): Promise<ConversionRecord[]>;
  /** Conversions that happened at or after `from` and before `to` (ISO), oldest first. */
  between(from: string, to: string): Promise<ConversionRecord[]>;
  /** Personal data erasure: the contact's orders keep amount, time and credit (counts stay) under `redactedContactId`. Returns how many. */
  erase(contactId: string, redactedContactId: string): Promise<number>;
}
