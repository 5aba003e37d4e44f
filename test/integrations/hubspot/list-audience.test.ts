import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveCrmList, describeListAudience } from '../../../src/crm/list-segment.js';
import { syncedProperties } from '../../../src/crm/map-contact.js';
import { syncContacts } from '../../../src/crm/sync-contacts.js';
import { matchFilter } from '../../../src/segments/match.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import type { StandInContact, StandInData, StandInList } from '../../helpers/hubspot-stand-in.js';
import { mockHubSpot, testConnection } from './hubspot-nock.js';

const property = (name: string, operation: Record<string, unknown>) => ({ filterType: 'PROPERTY', property: name, operation: { includeObjectsWithNoValueSet: false, ...operation } });
const and = (filters: unknown[], branches: unknown[] = []) => ({ filterBranchType: 'AND', filterBranchOperator: 'AND', filters, filterBranches: branches });

/**
 * A dynamic list with OR of three AND branches (multistring, enumeration, number, bool, is known,
 * datetime and a NOT_ANY branch), and the members HubSpot reports for it, worked out by hand from
 * HubSpot's documented semantics for these contacts.
 */
const DYNAMIC: StandInList = {
  listId: '7', name: 'Engaged', processingType: 'DYNAMIC',
  filterBranch: {
    filterBranchType: 'OR', filterBranchOperator: 'OR', filters: [], filterBranches: [
      and([property('firstname', { operationType: 'MULTISTRING', operator: 'CONTAINS', values: ['j'] }), property('lifecyclestage', { operationType: 'ENUMERATION', operator: 'IS_ANY_OF', values: ['customer', 'lead'] })]),
      and([property('score', { operationType: 'NUMBER', operator: 'IS_GREATER_THAN_OR_EQUAL_TO', value: 50 }), property('vip', { operationType: 'BOOL', operator: 'IS_EQUAL_TO', value: true })]),
      and(
        [property('email', { operationType: 'ALL_PROPERTY', operator: 'IS_KNOWN' }), property('signup_at', { operationType: 'DATETIME', operator: 'IS_AFTER', timestamp: Date.UTC(2026, 0, 1) })],
        [{ filterBranchType: 'NOT_ANY', filterBranchOperator: 'NOT_ANY', filterBranches: [], filters: [property('city', { operationType: 'STRING', operator: 'IS_EQUAL_TO', value: 'Chicago' })] }],
      ),
    ],
  },
  members: ['1', '3', '6', '8', '9', '10'],
};

const CONTACTS: StandInContact[] = [
  ['1', { firstname: 'John', lifecyclestage: 'customer' }],
  ['2', { firstname: 'Jane', lifecyclestage: 'subscriber' }],
  ['3', { firstname: 'Bob', score: '70', vip: 'true' }],
  ['4', { firstname: 'Bob', score: '40', vip: 'true' }],
  ['5', { firstname: 'Ann', email: 'a@example.com', city: 'Chicago', signup_at: '2026-02-01T10:00:00.000Z' }],
  ['6', { firstname: 'Ann', email: 'b@example.com', city: 'Boston', signup_at: '2026-02-01T10:00:00.000Z' }],
  ['7', { firstname: 'Ann', email: 'c@example.com', signup_at: '2025-12-01T10:00:00.000Z' }],
  ['8', { firstname: 'Jo', lifecyclestage: 'lead' }],
  ['9', { firstname: 'Ann', email: 'd@example.com', signup_at: '2026-03-01T00:00:00.000Z' }],
  ['10', { firstname: 'John', lifecyclestage: 'customer', mobilephone: null }],
].map(([id, properties], i) => ({
  id: id as string, updatedAt: '2026-04-01T00:00:00.000Z',
  properties: { mobilephone: `+1312555${String(100 + i).padStart(4, '0')}`, ...(properties as Record<string, string | null>) },
}));

const SNAPSHOT: StandInList = { listId: '8', name: 'Imported at the fair', processingType: 'SNAPSHOT', filterBranch: DYNAMIC.filterBranch, members: ['2', '4', '7', '10'] };
const EVENTS: StandInList = {
  listId: '9', name: 'Opened the newsletter', processingType: 'DYNAMIC', members: ['1', '6'],
  filterBranch: { filterBranchType: 'OR', filters: [], filterBranches: [and([property('email', { operationType: 'ALL_PROPERTY', operator: 'IS_KNOWN' }), { filterType: 'EMAIL_EVENT', level: 'OPENED' }])] },
};
const UNSYNCED: StandInList = {
  listId: '11', name: 'Scored', processingType: 'DYNAMIC', members: ['3'],
  filterBranch: { filterBranchType: 'OR', filters: [], filterBranches: [and([property('hs_analytics_num_visits', { operationType: 'NUMBER', operator: 'IS_GREATER_THAN', value: 3 })])] },
};

const ENV = { HUBSPOT_SYNC_PROPERTIES: 'email,lifecyclestage,score,vip,signup_at' };

async function syncedStore() {
  const connection = testConnection(ENV);
  const store = new MemoryStore();
  let n = 0;
  await syncContacts({ map: connection.settings.properties, defaultCountry: 'US', checkpointMs: 0 }, { crm: connection.hubspot.crm, store, clock: connection.clock, newId: () => `c${++n}` });
  const deps = { crm: connection.hubspot.crm, store, clock: connection.clock, syncedProperties: syncedProperties(connection.settings.properties) };
  const audienceIds = async (filter: Parameters<typeof matchFilter>[1]) => {
    const { count, sample } = await matchFilter(store.contacts, filter, { now: new Date('2026-05-01T00:00:00Z'), defaultZone: 'UTC', sampleSize: 1000 });
    expect(sample).toHaveLength(count);
    return sample.map((c) => c.crm?.id).sort((a, b) => Number(a) - Number(b));
  };
  return { store, deps, audienceIds };
}

/** HubSpot's own members, restricted to the contacts the sync could bring (10 has no number). */
const localMembers = (list: StandInList) => list.members.filter((id) => id !== '10');

describe('a HubSpot list as an audience', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('a translated dynamic list selects exactly HubSpot\'s own members among the synced contacts', async () => {
    const data: StandInData = { contacts: CONTACTS, lists: [DYNAMIC, SNAPSHOT, EVENTS, UNSYNCED], properties: new Set() };
    const { scope, calls } = mockHubSpot(data, { methods: ['GET'] });
    const { deps, audienceIds } = await syncedStore();
    const audience = await resolveCrmList('7', deps);
    expect(audience).toMatchObject({ mode: 'filters', reasons: [] });
    expect(await audienceIds(audience.filter)).toEqual(localMembers(DYNAMIC));
    // The filters were enough: HubSpot's memberships were never asked for.
    expect(calls.some((c) => c.path.endsWith('/memberships'))).toBe(false);
    expect(calls.find((c) => c.path === '/crm/v3/lists/7')?.query.get('includeFilters')).toBe('true');
    expect(describeListAudience(audience)).toBe('HubSpot list 7 "Engaged": its filters, translated exactly.');
    scope.done();
  });

  it.each([
    [SNAPSHOT, 'the list is SNAPSHOT: its members are chosen by hand, not by its filters'],
    [EVENTS, 'root > branch 1, filter 2: a EMAIL_EVENT filter is not a property filter'],
    [UNSYNCED, 'the filter on property hs_analytics_num_visits needs it in the local copy: add it to HUBSPOT_SYNC_PROPERTIES and sync again'],
  ])('list %# falls back to its members and says why', async (list, reason) => {
    const data: StandInData = { contacts: CONTACTS, lists: [DYNAMIC, SNAPSHOT, EVENTS, UNSYNCED], properties: new Set() };
    const { scope } = mockHubSpot(data, { methods: ['GET'] });
    const { deps, audienceIds } = await syncedStore();
    const audience = await resolveCrmList(list.listId, deps);
    expect(audience).toMatchObject({ mode: 'memberships', reasons: [reason], members: list.members.length, membersNotLocal: list.members.includes('10') ? 1 : 0 });
    expect(await audienceIds(audience.filter)).toEqual(localMembers(list));
    expect(describeListAudience(audience)).toContain(reason);
    scope.done();
  });

  it('membership stamps follow the list: a member who left is no longer selected', async () => {
    const data: StandInData = { contacts: CONTACTS, lists: [{ ...SNAPSHOT }], properties: new Set() };
    const { scope } = mockHubSpot(data, { methods: ['GET'] });
    const { deps, audienceIds } = await syncedStore();
    await resolveCrmList('8', deps);
    (data.lists[0] as StandInList).members = ['4'];
    const again = await resolveCrmList('8', deps);
    expect(await audienceIds(again.filter)).toEqual(['4']);
    scope.done();
  });
});
