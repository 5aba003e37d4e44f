import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HubSpot stand-in on 127.0.0.1:0 for the demo, benchmarks and tests: the contacts API
 * (list pages, archived pages, search on lastmodifieddate with the 10,000-result cap), lists with
 * filters and memberships, contact properties, the token-info call, and HubSpot's burst limit
 * ENFORCED as a sliding window (429 with Retry-After past it). More routes can be added with `routes`.
 */
export interface StandInContact {
  id: string;
  properties: Record<string, string | null>;
  /** ISO instant; also served as the lastmodifieddate property. */
  updatedAt: string;
  archived?: boolean;
  archivedAt?: string;
}

export interface StandInList {
  listId: string;
  name: string;
  processingType: 'DYNAMIC' | 'MANUAL' | 'SNAPSHOT';
  filterBranch?: unknown;
  members: string[];
}

export type StandInRoute = (request: { method: string; path: string; query: URLSearchParams; body: unknown }) => { status: number; body: unknown } | undefined;

export interface StandInOptions {
  contacts?: StandInContact[];
  lists?: StandInList[];
  /** Requests allowed per window (HubSpot Starter: 100 per 10 s). */
  requestsPerWindow?: number;
  windowMs?: number;
  scopes?: string[];
  routes?: StandInRoute[];
}

export interface HubSpotStandIn {
  url: string;
  contacts: StandInContact[];
  lists: StandInList[];
  properties: Set<string>;
  stats: { requests: number; rejected: number; byPath: Record<string, number> };
  close(): Promise<void>;
}

const SEARCH_CAP = 10_000;

export async function startHubSpotStandIn(options: StandInOptions = {}): Promise<HubSpotStandIn> {
  const contacts = [...(options.contacts ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  const lists = options.lists ?? [];
  const properties = new Set(['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'city', 'hs_timezone']);
  const limit = options.requestsPerWindow ?? 100;
  const windowMs = options.windowMs ?? 10_000;
  const seen: number[] = [];
  const stats = { requests: 0, rejected: 0, byPath: {} as Record<string, number> };

  const limited = (): number | undefined => {
    const now = performance.now();
    while (seen.length > 0 && (seen[0] as number) <= now - windowMs) seen.shift();
    if (seen.length >= limit) return Math.ceil(((seen[0] as number) + windowMs - now) / 1000);
    seen.push(now);
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      stats.requests += 1;
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const retryAfter = limited();
      if (retryAfter !== undefined) {
        stats.rejected += 1;
        send(429, { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }, { 'retry-after': String(retryAfter) });
        return;
      }
      stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        send(400, { status: 'error', message: 'Invalid JSON' });
        return;
      }
      const answer = answerStandIn({ contacts, lists, properties, ...(options.scopes ? { scopes: options.scopes } : {}), routes: options.routes ?? [] }, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
      send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    contacts,
    lists,
    properties,
    stats,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface StandInData {
  contacts: StandInContact[];
  lists: StandInList[];
  properties: Set<string>;
  scopes?: string[];
  routes?: StandInRoute[];
}

/**
 * HubSpot's answer to one request, from the data alone (no rate limit): the stand-in server and nock
 * interceptors in tests share it (`nock(API).persist().get(/.+/).reply((uri) => ...)`).
 */
export function answerStandIn(data: StandInData, request: { method: string; path: string; query: URLSearchParams; body: unknown }): { status: number; body: unknown } {
  const answer = [...(data.routes ?? []), builtIn(data.contacts, data.lists, data.properties, data.scopes)].reduce<{ status: number; body: unknown } | undefined>((found, route) => found ?? route(request), undefined);
  return answer ?? { status: 404, body: { status: 'error', message: `No route ${request.method} ${request.path} in the stand-in` } };
}

function record(contact: StandInContact, wanted: string[]): unknown {
  const properties: Record<string, string | null> = { hs_object_id: contact.id, lastmodifieddate: contact.updatedAt };
  for (const name of wanted) if (name in contact.properties) properties[name] = contact.properties[name] ?? null;
  return {
    id: contact.id, properties, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: contact.updatedAt, archived: Boolean(contact.archived),
    ...(contact.archivedAt ? { archivedAt: contact.archivedAt } : {}),
  };
}

function builtIn(contacts: StandInContact[], lists: StandInList[], properties: Set<string>, scopes: string[] | undefined): StandInRoute {
  return ({ method, path, query, body }) => {
    if (method === 'GET' && path === '/crm/v3/objects/contacts') {
      const archived = query.get('archived') === 'true';
      const pageSize = Math.min(Number(query.get('limit') ?? 10), 100);
      const wanted = query.getAll('properties').flatMap((value) => value.split(',')).filter(Boolean);
      const pool = contacts.filter((c) => Boolean(c.archived) === archived);
      const after = query.get('after');
      const start = after ? pool.findIndex((c) => Number(c.id) >= Number(after)) : 0;
      const slice = start < 0 ? [] : pool.slice(start, start + pageSize);
      const next = start >= 0 ? pool[start + pageSize] : undefined;
      return { status: 200, body: { results: slice.map((c) => record(c, wanted)), ...(next ? { paging: { next: { after: next.id, link: '' } } } : {}) } };
    }
    if (method === 'POST' && path === '/crm/v3/objects/contacts/search') return search(contacts, body);
    const list = /^\/crm\/v3\/lists\/([^/]+)(\/memberships)?$/.exec(path);
    if (method === 'GET' && list) {
      const found = lists.find((l) => l.listId === list[1]);
      if (!found) return { status: 404, body: { status: 'error', message: 'List not found' } };
      if (!list[2]) {
        const { members, ...rest } = found;
        return { status: 200, body: { list: { ...rest, objectTypeId: '0-1', processingStatus: 'COMPLETE', size: members.length, ...(query.get('includeFilters') === 'true' ? {} : { filterBranch: undefined }) } } };
      }
      const sorted = [...found.members].sort((a, b) => Number(a) - Number(b));
      const pageSize = Number(query.get('limit') ?? 100);
      const after = Number(query.get('after') ?? 0);
      const slice = sorted.slice(after, after + pageSize);
      const nextAt = after + pageSize;
      return { status: 200, body: { results: slice.map((recordId) => ({ recordId, membershipTimestamp: '2025-01-01T00:00:00Z' })), ...(nextAt < sorted.length ? { paging: { next: { after: String(nextAt) } } } : {}), total: sorted.length } };
    }
    if (path === '/crm/v3/properties/contacts' && method === 'GET') return { status: 200, body: { results: [...properties].map((name) => ({ name })) } };
    if (path === '/crm/v3/properties/contacts' && method === 'POST') {
      const name = (body as { name?: string }).name ?? '';
      if (properties.has(name)) return { status: 409, body: { status: 'error', message: `Property named '${name}' already exists.` } };
      properties.add(name);
      return { status: 201, body };
    }
    if (path === '/crm/v3/properties/contacts/groups' && method === 'GET') return { status: 200, body: { results: [{ name: 'contactinformation' }] } };
    if (path === '/crm/v3/properties/contacts/groups' && method === 'POST') return { status: 201, body };
    if (path === '/oauth/v2/private-apps/get/access-token-info' && method === 'POST') {
      return { status: 200, body: { userId: 1, hubId: 12345, appId: 1, scopes: scopes ?? ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.write', 'crm.lists.read'] } };
    }
    return undefined;
  };
}

const sortedCache = new WeakMap<StandInContact[], { length: number; sorted: StandInContact[] }>();

/** Contacts by modification time then id, sorted once per data set (searches repeat it 100 times). */
function byModification(contacts: StandInContact[]): StandInContact[] {
  const cached = sortedCache.get(contacts);
  if (cached && cached.length === contacts.length) return cached.sorted;
  const keyed = contacts.map((c) => ({ c, ms: Date.parse(c.updatedAt), id: Number(c.id) }));
  keyed.sort((a, b) => a.ms - b.ms || a.id - b.id);
  const sorted = keyed.map((k) => k.c);
  sortedCache.set(contacts, { length: contacts.length, sorted });
  return sorted;
}

function search(contacts: StandInContact[], body: unknown): { status: number; body: unknown } {
  const request = body as { filterGroups?: Array<{ filters?: Array<{ propertyName: string; operator: string; value?: string }> }>; limit?: number; after?: string; properties?: string[] };
  const filter = request.filterGroups?.[0]?.filters?.find((f) => f.propertyName === 'lastmodifieddate');
  const since = filter?.value ? Number(filter.value) : 0;
  const matching = byModification(contacts).filter((c) => !c.archived && Date.parse(c.updatedAt) >= since);
  const after = Number(request.after ?? 0);
  const pageSize = Math.min(request.limit ?? 10, 200);
  if (after + pageSize > SEARCH_CAP) return { status: 400, body: { status: 'error', message: 'Paging past 10000 results is not allowed' } };
  const slice = matching.slice(after, after + pageSize);
  const nextAt = after + pageSize;
  return {
    status: 200,
    body: { total: matching.length, results: slice.map((c) => record(c, request.properties ?? [])), ...(nextAt < matching.length ? { paging: { next: { after: String(nextAt) } } } : {}) },
  };
}
