import { AppError } from '../common/errors.js';
import type { ErrorCode } from '../common/errors.js';
import type { FilterNode } from '../segments/filter-types.js';

/**
 * The CRM port: what the domain needs from a CRM (HubSpot today). One folder per implementation under
 * integrations/, built once in the composition root. Every method makes as few calls as the CRM allows
 * (pages and batches of 100) and goes through the CRM's request budget; a call that cannot succeed
 * throws a `CrmError` (retryable or not) after the adapter's own bounded retries.
 */
export interface CrmPort {
  /** "hubspot": the `system` of `Contact.crm` links and of consent sources. */
  readonly system: string;

  /** One page of contacts in the CRM's stable order; `archived: true` pages the deleted ones instead. */
  listContacts(request: ContactPageRequest): Promise<CrmContactPage>;
  /**
   * Contacts modified at or after `since`, oldest modification first (ties in id order), one page at a
   * time. The CRM caps how far one query can page (`maxResults`); past it, start a new query at the
   * last modification time seen.
   */
  contactsChangedSince(request: ChangedContactsRequest): Promise<CrmContactPage & { total: number }>;

  /** A list's definition: its kind and its filters, translated to a local filter where that is exact. */
  getList(listId: string): Promise<CrmList>;
  /** One page of a list's members (CRM record ids, ascending). */
  listMemberships(listId: string, request: { after?: string; limit: number }): Promise<{ recordIds: string[]; next?: string }>;

  /** Creates the contact properties sms-bridge writes (consent, last status) where missing. */
  ensureContactProperties(): Promise<PropertySetupResult[]>;
  /** One cheap authenticated call: is the token valid, and which needed scopes does it lack? */
  verifyCredentials(): Promise<{ ok: boolean; detail: string; missingScopes: string[] }>;

  /** Requests made and 429s received so far, through the shared budget. */
  usage(): { requests: number; rateLimited: number };

  /** Deals closed won at or after `since` (ISO), oldest first, one page at a time, with their contacts' CRM ids. */
  closedWonDeals?(request: { since: string; after?: string; limit: number }): Promise<CrmDealPage>;

  // Write-back (timeline communications, consent properties, workflow callbacks) joins this port as
  // optional methods next to these, through the same budget.
}

export interface ContactPageRequest {
  after?: string;
  limit: number;
  properties: readonly string[];
  archived?: boolean;
}

export interface ChangedContactsRequest {
  /** ISO instant: contacts with a modification time at or after it. */
  since: string;
  after?: string;
  limit: number;
  properties: readonly string[];
}

/** A CRM contact as the adapter hands it over: every property value is a string or null. */
export interface CrmContact {
  id: string;
  properties: Record<string, string | null>;
  /** ISO instant of the last modification. */
  updatedAt: string;
  archived?: boolean;
  /** ISO instant of the deletion, for archived contacts. */
  archivedAt?: string;
  /** Ids of records merged into this one (they no longer exist on their own). */
  mergedIds?: string[];
}

export interface CrmContactPage {
  contacts: CrmContact[];
  /** Cursor of the next page; absent on the last one. */
  next?: string;
}

export type CrmListKind = 'dynamic' | 'manual' | 'snapshot';

export interface CrmList {
  id: string;
  name: string;
  kind: CrmListKind;
  /** Members as the CRM counts them, when it says. */
  size?: number;
  /** The list's filters as a local filter tree, when they translate exactly. */
  filter?: FilterNode;
  /** Why the filters cannot be used, naming the filter that forced it (membership is used instead). */
  untranslatable: string[];
  /** CRM properties the filter reads: the sync must bring them for the filter to be exact. */
  properties: string[];
}

export interface PropertySetupResult {
  name: string;
  outcome: 'created' | 'exists';
}

export type CrmErrorCode = 'auth_failed' | 'missing_scope' | 'not_found' | 'rate_limited' | 'unavailable' | 'bad_request' | 'unknown';

const APP_CODES: Record<CrmErrorCode, ErrorCode> = {
  auth_failed: 'CONFIG_INVALID',
  missing_scope: 'CONFIG_INVALID',
  not_found: 'NOT_FOUND',
  bad_request: 'VALIDATION_FAILED',
  rate_limited: 'INTERNAL',
  unavailable: 'INTERNAL',
  unknown: 'INTERNAL',
};

/**
 * The one error a CRM adapter throws: `reason` says what went wrong at the CRM (code branches on it),
 * `retryable` whether later may work. It is an AppError, so the CLI and the REST API report it with
 * its hint and a fitting status (an unknown list is a 404) without knowing about CRMs.
 */
export class CrmError extends AppError {
  readonly reason: CrmErrorCode;
  readonly status: number | undefined;

  constructor(reason: CrmErrorCode, message: string, options: { retryable?: boolean; status?: number; hint?: string; cause?: unknown } = {}) {
    super(APP_CODES[reason], message, {
      retryable: options.retryable ?? false,
      ...(options.hint ? { hint: options.hint } : {}),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'CrmError';
    this.reason = reason;
    this.status = options.status;
  }
}

/** A won deal as the CRM adapter hands it over: values as the CRM keeps them (strings), contacts by CRM id. */
export interface CrmDeal {
  id: string;
  amount: string | null;
  closedAt: string | null;
  currency: string | null;
  contactIds: string[];
}

export interface CrmDealPage {
  deals: CrmDeal[];
  next?: string;
}
