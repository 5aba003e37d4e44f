import type { Contact } from '../../contacts/contact.js';
import { readAhead } from '../../common/read-ahead.js';
import type { PlanningConsent, PlanningPage, PlanningScanOptions } from '../port.js';
import type { Db } from './db.js';
import { NOT_COUNTED } from './pg-outbox.js';

/**
 * A page of contacts with their consent (the two columns that decide a send, not the state's JSON) and,
 * for a marketing plan, their marketing send times (as PgOutbox.marketingSendTimes counts them), in one
 * query. Consent is read in contact order from its own index (consent_state_plan, migration 8: both
 * sides in byte order, so a merge join walks the two indexes side by side, the consent one alone, and
 * the bound on it starts that walk at the page); the send times by the outbox's marketing index.
 * `COLLATE "default"`: the outbox's contact ids compare in the database's collation, and an index is
 * used only by a comparison in its own.
 */
function pageQuery(marketing: boolean): string {
  const sent = marketing
    ? `(SELECT array_agg(coalesce(o.submitted_at, o.send_after)) FROM outbox o
        WHERE o.contact_id = c.id COLLATE "default" AND o.kind = 'marketing' AND NOT o.test AND o.status <> ALL($3::text[])
          AND coalesce(o.submitted_at, o.send_after) >= $4::timestamptz)`
    : 'NULL::timestamptz[]';
  return `SELECT c.data, s.marketing, s.transactional_allowed, ${sent} AS sent
    FROM contacts c LEFT JOIN consent_state s ON s.contact_id COLLATE "C" = c.id AND s.contact_id COLLATE "C" > $2
    WHERE c.id > $2 ORDER BY c.id LIMIT $1`;
}

/** The six consents there are, shared (frozen) rather than made once per contact: [transactional not allowed, allowed]. */
const CONSENTS: Record<string, readonly [PlanningConsent, PlanningConsent] | undefined> = Object.fromEntries(
  (['opted_in', 'opted_out', 'unknown'] as const).map((marketing) => [marketing, [Object.freeze({ marketing, transactionalAllowed: false }), Object.freeze({ marketing, transactionalAllowed: true })]]),
);

function consentOf(marketing: PlanningConsent['marketing'], transactionalAllowed: boolean): PlanningConsent {
  return CONSENTS[marketing]?.[transactionalAllowed ? 1 : 0] ?? { marketing, transactionalAllowed };
}

type Row = [Contact, PlanningConsent['marketing'] | null, boolean | null, Date[] | null];

/** See Store.planningPages: keyset pages, the next one read while the caller works on the one it has. */
export function pgPlanningPages(db: Db, options: PlanningScanOptions): AsyncIterable<PlanningPage> {
  return readAhead(pages(db, options));
}

async function* pages(db: Db, options: PlanningScanOptions): AsyncGenerator<PlanningPage> {
  const limit = options.batchSize ?? 1000;
  const since = options.marketingSince;
  const text = pageQuery(since !== undefined);
  const extra = since === undefined ? [] : [NOT_COUNTED, since.toISOString()];
  // Every id is a non-empty string, so the first page is the one after ''.
  let afterId = '';
  for (;;) {
    const result = await db.pool.query<Row>({ text, values: [limit, afterId, ...extra], rowMode: 'array' });
    if (result.rows.length === 0) return;
    const contacts: Contact[] = new Array<Contact>(result.rows.length);
    const consent = new Map<string, PlanningConsent>();
    const history = new Map<string, Date[]>();
    for (let i = 0; i < result.rows.length; i += 1) {
      const [contact, marketing, transactionalAllowed, sent] = result.rows[i] as Row;
      contacts[i] = contact;
      if (marketing !== null) consent.set(contact.id, consentOf(marketing, transactionalAllowed === true));
      if (sent !== null) history.set(contact.id, sent);
    }
    yield { contacts, consent, history };
    afterId = (contacts[contacts.length - 1] as Contact).id;
  }
}
