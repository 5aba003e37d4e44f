import { z } from 'zod';
import type { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { Store } from '../store/port.js';
import type { ApplyContext, SyncTally } from './apply-page.js';
import { applyArchivedPage, applyContactPage, emptyTally } from './apply-page.js';
import type { CrmPropertyMap } from './map-contact.js';
import { syncedProperties } from './map-contact.js';
import type { CrmContactPage, CrmPort } from './port.js';

export interface SyncOptions {
  /** Page everything instead of asking for what changed since the last sync. */
  full?: boolean;
  map: CrmPropertyMap;
  defaultCountry: string;
  /** Contacts per page when listing (HubSpot's maximum: 100). */
  pageSize?: number;
  /** Contacts per page when searching (HubSpot's maximum: 200). */
  searchPageSize?: number;
  /** How far one search query can page (HubSpot: 10,000 results); past it a new window starts. */
  maxSearchResults?: number;
  /** Durable checkpoints at most this often (each one writes the contacts file). Default 2 s. */
  checkpointMs?: number;
}

export interface SyncDeps {
  crm: CrmPort;
  store: Store;
  clock: Clock;
  newId: () => string;
  onProgress?: (done: number, total: number | undefined) => void;
}

export interface SyncSummary extends SyncTally {
  mode: 'full' | 'incremental';
  /** True when the run carried on from a cursor an interrupted run left. */
  resumed: boolean;
  /** Requests made and 429s received during this run. */
  requests: number;
  rateLimited: number;
  seconds: number;
  /** The next incremental sync asks for contacts modified at or after this. */
  watermark: string | undefined;
}

const runSchema = z.object({
  mode: z.enum(['full', 'incremental']),
  startedAt: z.string(),
  phase: z.enum(['active', 'archived']),
  after: z.string().optional(),
  windowStart: z.string().optional(),
  /** Ids already applied whose modification time equals windowStart (ties across a window restart). */
  seenAtWindowStart: z.array(z.string()).default([]),
  maxSeen: z.string().optional(),
});
const cursorSchema = z.object({ watermark: z.string().optional(), archivedCheckedAt: z.string().optional(), run: runSchema.optional() });
type Cursor = z.infer<typeof cursorSchema>;
type Run = z.infer<typeof runSchema>;

/** Deleted contacts cannot be searched by date, only paged: incremental runs look at them at most this often. */
const ARCHIVED_EVERY_MS = 24 * 3600_000;

/** Search results can lag a little behind a change (CONTRACTS Part A §2): a full sync's watermark starts this much before it. */
const SEARCH_LAG_MS = 5 * 60_000;

/**
 * Brings the CRM's contacts into the store: a full sync pages every contact (then the deleted ones); an
 * incremental one searches for contacts modified since the watermark, oldest first, starting a new
 * window at the last modification time seen whenever a query nears the search cap. Progress is
 * checkpointed as it goes (contacts made durable first, then the cursor), so a run that dies resumes
 * where its last checkpoint was; re-applying a page changes nothing.
 */
export async function syncContacts(options: SyncOptions, deps: SyncDeps): Promise<SyncSummary> {
  const startedMs = performance.now();
  const usageBefore = deps.crm.usage();
  const cursorId = `${deps.crm.system}-contacts`;
  const stored = await deps.store.cursors.get(cursorId);
  const cursor: Cursor = stored ? cursorSchema.parse(stored.data) : {};
  const resumed = cursor.run !== undefined && !(options.full === true && cursor.run.mode === 'incremental');
  const mode = resumed && cursor.run ? cursor.run.mode : options.full || !cursor.watermark ? 'full' : 'incremental';
  const run: Run = resumed && cursor.run ? cursor.run : { mode, startedAt: deps.clock.now().toISOString(), phase: 'active', seenAtWindowStart: [] };
  if (mode === 'incremental') run.windowStart ??= cursor.watermark;

  const tally = emptyTally();
  const context: ApplyContext = {
    system: deps.crm.system, map: options.map, defaultCountry: options.defaultCountry, store: deps.store, clock: deps.clock, newId: deps.newId,
    index: await crmIndex(deps.store, deps.crm.system),
  };
  const checkpoint = createCheckpointer(deps.store, deps.clock, cursorId, cursor, options.checkpointMs ?? 2000);
  const properties = syncedProperties(options.map);
  const pageSize = options.pageSize ?? 100;
  const total = deps.onProgress && mode === 'full' ? await estimateTotal(deps.crm) : undefined;

  if (run.phase === 'active') {
    if (mode === 'full') await fullPass(run, { deps, context, tally, checkpoint, properties, pageSize }, total);
    else await incrementalPass(run, { deps, context, tally, checkpoint, properties, pageSize: options.searchPageSize ?? 200, maxResults: options.maxSearchResults ?? 10_000 });
    run.phase = 'archived';
    delete run.after;
    await checkpoint.save(run, true);
  }
  const archivedDue = mode === 'full' || !cursor.archivedCheckedAt || Date.parse(run.startedAt) - Date.parse(cursor.archivedCheckedAt) >= ARCHIVED_EVERY_MS;
  if (archivedDue) await archivedPass(run, { deps, context, tally, checkpoint, properties, pageSize });

  const watermark = mode === 'full' ? new Date(Date.parse(run.startedAt) - SEARCH_LAG_MS).toISOString() : (run.maxSeen ?? run.windowStart ?? cursor.watermark);
  await checkpoint.finish(watermark, archivedDue ? run.startedAt : cursor.archivedCheckedAt);
  const usage = deps.crm.usage();
  return {
    mode, resumed, ...tally, requests: usage.requests - usageBefore.requests, rateLimited: usage.rateLimited - usageBefore.rateLimited,
    seconds: Math.round((performance.now() - startedMs) / 10) / 100, watermark,
  };
}

interface Pass {
  deps: SyncDeps;
  context: ApplyContext;
  tally: SyncTally;
  checkpoint: Checkpointer;
  properties: string[];
  pageSize: number;
}

/** Pages every contact; the next page is already being fetched while this one is applied. */
async function fullPass(run: Run, pass: Pass, total: number | undefined): Promise<void> {
  const fetch = (after: string | undefined): Promise<CrmContactPage> => {
    const page = pass.deps.crm.listContacts({ limit: pass.pageSize, properties: pass.properties, ...(after ? { after } : {}) });
    // Awaited on the next turn; if applying this page fails first, its failure must not go unhandled.
    page.catch(() => undefined);
    return page;
  };
  let pending = fetch(run.after);
  for (;;) {
    const page = await pending;
    if (page.next) pending = fetch(page.next);
    await applyContactPage(page.contacts, pass.context, pass.tally);
    pass.deps.onProgress?.(pass.tally.fetched, total);
    if (!page.next) return;
    run.after = page.next;
    await pass.checkpoint.save(run);
  }
}

async function incrementalPass(run: Run, pass: Pass & { maxResults: number }): Promise<void> {
  let seen = new Set(run.seenAtWindowStart);
  for (;;) {
    const since = run.windowStart as string;
    const page = await pass.deps.crm.contactsChangedSince({ since, limit: pass.pageSize, properties: pass.properties, ...(run.after ? { after: run.after } : {}) });
    const fresh = page.contacts.filter((c) => !(c.updatedAt === since && seen.has(c.id)));
    await applyContactPage(fresh, pass.context, pass.tally);
    pass.deps.onProgress?.(pass.tally.fetched, page.total);
    for (const contact of fresh) {
      if (run.maxSeen === undefined || contact.updatedAt > run.maxSeen) {
        run.maxSeen = contact.updatedAt;
        run.seenAtWindowStart = [];
      }
      if (contact.updatedAt === run.maxSeen) run.seenAtWindowStart.push(contact.id);
    }
    if (!page.next) return;
    if (Number(page.next) + pass.pageSize > pass.maxResults) {
      // The search cap: a new query from the last modification time seen, skipping the ids seen at it.
      if (run.maxSeen === undefined || run.maxSeen === since) {
        throw new AppError('UNSUPPORTED', `More than ${pass.maxResults} contacts share the modification time ${since}; a search window cannot move past them.`, {
          hint: 'Run a full sync: smsbridge hubspot sync --full.',
        });
      }
      run.windowStart = run.maxSeen;
      seen = new Set(run.seenAtWindowStart);
      delete run.after;
    } else {
      run.after = page.next;
    }
    await pass.checkpoint.save(run);
  }
}

async function archivedPass(run: Run, pass: Pass): Promise<void> {
  for (;;) {
    const page = await pass.deps.crm.listContacts({ limit: pass.pageSize, properties: [], archived: true, ...(run.after ? { after: run.after } : {}) });
    await applyArchivedPage(page.contacts, pass.context, pass.tally);
    if (!page.next) return;
    run.after = page.next;
    await pass.checkpoint.save(run);
  }
}

/** How many contacts there are, for a progress bar: one search asking for one result. */
async function estimateTotal(crm: CrmPort): Promise<number | undefined> {
  try {
    return (await crm.contactsChangedSince({ since: new Date(0).toISOString(), limit: 1, properties: [] })).total;
  } catch {
    return undefined;
  }
}

/** CRM id → local contact id, from one scan of the store. */
async function crmIndex(store: Store, system: string): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  for await (const page of store.contacts.scan({ batchSize: 5000 })) {
    for (const contact of page) if (contact.crm?.system === system) index.set(contact.crm.id, contact.id);
  }
  return index;
}

interface Checkpointer {
  /** Records the run's position; durable at most every `everyMs` (or now with `force`), contacts first. */
  save(run: Run, force?: boolean): Promise<void>;
  finish(watermark: string | undefined, archivedCheckedAt: string | undefined): Promise<void>;
}

function createCheckpointer(store: Store, clock: Clock, id: string, cursor: Cursor, everyMs: number): Checkpointer {
  let last = performance.now();
  const write = async (data: Cursor): Promise<void> => {
    // Contacts durable before the cursor that says they are done: a crash in between replays a page, never skips one.
    await store.flush();
    await store.cursors.put({ id, updatedAt: clock.now().toISOString(), data });
    await store.flush();
    last = performance.now();
  };
  return {
    async save(run, force = false) {
      if (!force && performance.now() - last < everyMs) return;
      await write({ ...cursor, run: structuredClone(run) });
    },
    async finish(watermark, archivedCheckedAt) {
      await write({ ...(watermark === undefined ? {} : { watermark }), ...(archivedCheckedAt === undefined ? {} : { archivedCheckedAt }) });
    },
  };
}
