import type { Campaign } from '../../campaigns/campaign.js';
import type { BirthdayAutomation } from '../../campaigns/birthday.js';
import type { SuppressionRecord } from '../../consent/suppression.js';
import type { Template } from '../../messages/template-record.js';
import type { Segment } from '../../segments/filter.js';
import type { GreetingRecord, HoldoutRecord, IntegrationRecord, PlanningPage, PlanningScanOptions, Store, StoreDescription } from '../port.js';
import type { DbOptions } from './db.js';
import { Db, explainConnectFailure, maskDatabaseUrl } from './db.js';
import { checkVersion, migrate } from './migrations.js';
import { PgClicks, PgLinks } from './pg-clicks.js';
import { PgConsent } from './pg-consent.js';
import { PgConversions } from './pg-conversions.js';
import { PgContacts } from './pg-contacts.js';
import { PgInbound } from './pg-inbound.js';
import { PgIdempotency, PgNamed, PgRecords } from './pg-keyed.js';
import { PgOutbox } from './pg-outbox.js';
import { pgPlanningPages } from './pg-planning.js';

export interface PostgresStoreOptions extends DbOptions {
  /** Apply pending migrations on open (the service and commands that change data); default true unless read-only. */
  migrate?: boolean;
}

/**
 * The PostgreSQL store: every call is one statement or one transaction, durable when it resolves, so
 * several instances can share one database. Selected by DATABASE_URL; the schema (DATABASE_SCHEMA)
 * lets tests and deployments share a database.
 */
export class PostgresStore implements Store {
  readonly contacts: PgContacts;
  readonly consent: PgConsent;
  readonly segments: PgNamed<Segment>;
  readonly templates: PgNamed<Template>;
  readonly outbox: PgOutbox;
  readonly campaigns: PgRecords<Campaign>;
  readonly inbound: PgInbound;
  readonly automations: PgRecords<BirthdayAutomation>;
  readonly greetings: PgRecords<GreetingRecord>;
  readonly idempotency: PgIdempotency;
  readonly integrationState: PgRecords<IntegrationRecord>;
  readonly suppressions: PgRecords<SuppressionRecord>;
  readonly links: PgLinks;
  readonly clicks: PgClicks;
  readonly holdouts: PgRecords<HoldoutRecord>;
  readonly conversions: PgConversions;

  private constructor(readonly db: Db) {
    this.contacts = new PgContacts(db);
    this.consent = new PgConsent(db);
    this.segments = new PgNamed<Segment>(db, 'segments');
    this.templates = new PgNamed<Template>(db, 'templates');
    this.outbox = new PgOutbox(db);
    this.campaigns = new PgRecords<Campaign>(db, 'campaigns');
    this.inbound = new PgInbound(db);
    this.automations = new PgRecords<BirthdayAutomation>(db, 'automations');
    this.greetings = new PgRecords<GreetingRecord>(db, 'greetings');
    this.idempotency = new PgIdempotency(db, 'idempotency');
    this.integrationState = new PgRecords<IntegrationRecord>(db, 'integrationState');
    this.suppressions = new PgRecords<SuppressionRecord>(db, 'suppressions');
    this.links = new PgLinks(db);
    this.clicks = new PgClicks(db);
    this.holdouts = new PgRecords<HoldoutRecord>(db, 'holdouts');
    this.conversions = new PgConversions(db);
  }

  /** Connects, then migrates (or, read-only, checks the schema version); a server that cannot be reached is said plainly. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const db = new Db(options);
    try {
      if (options.migrate ?? !options.readOnly) await migrate(db);
      else await checkVersion(db);
    } catch (error) {
      await db.close();
      throw explainConnectFailure(options.url, error);
    }
    return new PostgresStore(db);
  }

  planningPages(options: PlanningScanOptions): AsyncIterable<PlanningPage> {
    return pgPlanningPages(this.db, options);
  }

  /** Nothing to do: the database keeps no copies outside its tables. */
  async scrub(): Promise<void> {}

  /** Every call is durable once it resolves, except bulk writes (lazy commits, see Db.tx): durable once this resolves. */
  flush(): Promise<void> {
    return this.db.flush();
  }

  async close(): Promise<void> {
    try {
      await this.db.flush();
    } finally {
      await this.db.close();
    }
  }

  describe(): StoreDescription {
    return { kind: 'postgres', location: `${maskDatabaseUrl(this.db.options.url)} (schema ${this.db.options.schema})`, readOnly: Boolean(this.db.options.readOnly) };
  }

  /** Rows per collection, for `store copy` to verify against its source. */
  async counts(): Promise<Record<string, number>> {
    const result = await this.db.query<{ name: string; n: string }>(
      `SELECT 'contacts' AS name, count(*) AS n FROM contacts
       UNION ALL SELECT 'consent', count(*) FROM consent_entries
       UNION ALL SELECT 'outbox', count(*) FROM outbox
       UNION ALL SELECT 'inbound', count(*) FROM inbound
       UNION ALL SELECT 'links', count(*) FROM short_links
       UNION ALL SELECT 'clicks', count(*) FROM clicks
       UNION ALL SELECT 'conversions', count(*) FROM conversions
       UNION ALL SELECT kind, count(*) FROM named_items GROUP BY kind
       UNION ALL SELECT kind, count(*) FROM records GROUP BY kind`,
    );
    return Object.fromEntries(result.rows.map((row) => [row.name, Number(row.n)]));
  }
}
