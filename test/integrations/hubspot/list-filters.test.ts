import { describe, expect, it } from 'vitest';
import { translateListFilters } from '../../../integrations/hubspot/list-filters.js';
import { parseFilter } from '../../../src/segments/filter.js';

// Verbatim from CONTRACTS.md Part A §1 (developers.hubspot.com lists docs).
const EXAMPLE_A = JSON.parse(`{"createdAt":"2023-11-06T20:44:49.324Z","createdById":"123",
 "filterBranch":{"filterBranchOperator":"OR","filterBranchType":"OR","filterBranches":[
   {"filterBranchOperator":"AND","filterBranchType":"AND","filters":[
     {"filterType":"PROPERTY","operation":{"includeObjectsWithNoValueSet":false,"operationType":"MULTISTRING","operator":"CONTAINS","values":["j"]},"property":"firstname"}]}]},
 "filtersUpdatedAt":"2023-11-15T20:24:22.020Z","listId":"1","listVersion":2,"name":"Example List 1",
 "objectTypeId":"0-1","processingStatus":"COMPLETE","processingType":"DYNAMIC","size":330,
 "updatedAt":"2023-11-15T20:24:36.761Z","updatedById":"123"}`) as { filterBranch: unknown };

const EXAMPLE_B = JSON.parse(`{"filterBranches": [{"filterBranches": [], "filters": [
   {"property": "email", "operation": {"operator": "IS_KNOWN", "includeObjectsWithNoValueSet": false, "operationType": "ALL_PROPERTY"}, "filterType": "PROPERTY"},
   {"property": "hs_content_membership_email_confirmed", "operation": {"operator": "IS_BETWEEN", "includeObjectsWithNoValueSet": false,
     "lowerBoundEndpointBehavior": "INCLUSIVE", "upperBoundEndpointBehavior": "INCLUSIVE", "propertyParser": "UPDATED_AT",
     "lowerBoundTimePoint": {"timezoneSource": "CUSTOM", "zoneId": "US/Eastern", "indexReference": {"referenceType": "TODAY"}, "offset": {"days": -15}, "timeType": "INDEXED"},
     "upperBoundTimePoint": {"timezoneSource": "CUSTOM", "zoneId": "US/Eastern", "indexReference": {"referenceType": "NOW"}, "timeType": "INDEXED"},
     "type": "TIME_RANGED", "operationType": "TIME_RANGED"}, "filterType": "PROPERTY"}],
   "filterBranchType": "AND", "filterBranchOperator": "AND"}],
 "filters": [], "filterBranchType": "OR", "filterBranchOperator": "OR"}`) as unknown;

const EXAMPLE_C = JSON.parse(`{"filterBranch":{"filterBranchType":"OR","filterBranches":[{"filterBranchType":"AND","filters":[
  {"filterType":"PROPERTY","operation":{"operationType":"NUMBER","operator":"IS_GREATER_THAN_OR_EQUAL_TO","value":12},"property":"hs_predictivecontactscore_v2"},
  {"filterType":"PROPERTY","operation":{"operationType":"ALL_PROPERTY","operator":"IS_KNOWN"},"property":"email"},
  {"acceptedStatuses":["OPT_IN"],"filterType":"EMAIL_SUBSCRIPTION","subscriptionIds":["81537745","321981152"]}]}]}}`) as { filterBranch: unknown };

const property = (name: string, operation: Record<string, unknown>) => ({ filterType: 'PROPERTY', property: name, operation: { includeObjectsWithNoValueSet: false, ...operation } });
const orOfAnd = (...filters: unknown[]) => ({ filterBranchType: 'OR', filterBranches: [{ filterBranchType: 'AND', filters, filterBranches: [] }], filters: [] });

describe('HubSpot list filters → local filter tree', () => {
  it('translates Example A (MULTISTRING CONTAINS on firstname) exactly', () => {
    const result = translateListFilters(EXAMPLE_A.filterBranch);
    expect(result).toEqual({ filter: { or: [{ and: [{ field: 'properties.firstname', op: 'contains', value: 'j' }] }] }, untranslatable: [], properties: ['firstname'] });
    expect(() => parseFilter(result.filter)).not.toThrow();
  });

  it('refuses Example B and names the filter that compares when a property was updated', () => {
    const result = translateListFilters(EXAMPLE_B);
    expect(result.filter).toBeUndefined();
    expect(result.untranslatable).toEqual(['root > branch 1, filter 2: property hs_content_membership_email_confirmed TIME_RANGED IS_BETWEEN: it compares when the property was last updated, which is not kept locally']);
  });

  it('refuses Example C because of its EMAIL_SUBSCRIPTION filter, and only that one', () => {
    const result = translateListFilters(EXAMPLE_C.filterBranch);
    expect(result.filter).toBeUndefined();
    expect(result.untranslatable).toEqual(['root > branch 1, filter 3: a EMAIL_SUBSCRIPTION filter is not a property filter']);
  });

  it.each([
    ['STRING IS_EQUAL_TO', property('city', { operationType: 'STRING', operator: 'IS_EQUAL_TO', value: 'Chicago' }), { field: 'properties.city', op: 'eq', value: 'Chicago' }],
    ['STRING IS_NOT_EQUAL_TO (no value set excluded)', property('city', { operationType: 'STRING', operator: 'IS_NOT_EQUAL_TO', value: 'Chicago' }), { and: [{ field: 'properties.city', op: 'is_known' }, { field: 'properties.city', op: 'neq', value: 'Chicago' }] }],
    ['STRING with includeObjectsWithNoValueSet', property('city', { operationType: 'STRING', operator: 'STARTS_WITH', value: 'Chi', includeObjectsWithNoValueSet: true }), { or: [{ field: 'properties.city', op: 'starts_with', value: 'Chi' }, { field: 'properties.city', op: 'is_unknown' }] }],
    ['MULTISTRING IS_EQUAL_TO', property('firstname', { operationType: 'MULTISTRING', operator: 'IS_EQUAL_TO', values: ['Fred', 'Ann'] }), { field: 'properties.firstname', op: 'in', value: ['Fred', 'Ann'] }],
    ['NUMBER IS_EQUAL_TO (numerically)', property('score', { operationType: 'NUMBER', operator: 'IS_EQUAL_TO', value: 12 }), { field: 'properties.score', op: 'between', value: [12, 12] }],
    ['NUMBER_RANGED IS_NOT_BETWEEN', property('score', { operationType: 'NUMBER_RANGED', operator: 'IS_NOT_BETWEEN', lowerBound: 1, upperBound: 5 }), { and: [{ field: 'properties.score', op: 'is_known' }, { not: { field: 'properties.score', op: 'between', value: [1, 5] } }] }],
    ['BOOL IS_EQUAL_TO', property('vip', { operationType: 'BOOL', operator: 'IS_EQUAL_TO', value: true }), { field: 'properties.vip', op: 'eq', value: 'true' }],
    ['ENUMERATION IS_NONE_OF', property('lifecyclestage', { operationType: 'ENUMERATION', operator: 'IS_NONE_OF', values: ['lead'] }), { and: [{ field: 'properties.lifecyclestage', op: 'is_known' }, { not: { field: 'properties.lifecyclestage', op: 'has_any', value: ['lead'] } }] }],
    ['ENUMERATION CONTAINS_ALL', property('interests', { operationType: 'ENUMERATION', operator: 'CONTAINS_ALL', values: ['a', 'b'] }), { field: 'properties.interests', op: 'has_all', value: ['a', 'b'] }],
    ['DATETIME IS_AFTER', property('signup_at', { operationType: 'DATETIME', operator: 'IS_AFTER', timestamp: Date.UTC(2026, 0, 1) }), { field: 'properties.signup_at', op: 'after', value: '2026-01-01T00:00:00.000Z' }],
    ['DATE IS_EQUAL_TO', property('date_of_birth', { operationType: 'DATE', operator: 'IS_EQUAL_TO', year: 1990, month: 'MAY', day: 17 }), { field: 'properties.date_of_birth', op: 'between', value: ['1990-05-17', '1990-05-17'] }],
    ['ROLLING_DATE_RANGE', property('signup_at', { operationType: 'ROLLING_DATE_RANGE', operator: 'IS_LESS_THAN_X_DAYS_AGO', numberOfDays: 30 }), { field: 'properties.signup_at', op: 'within_last_days', value: 30 }],
    ['TIME_POINT with an absolute date in a zone', property('signup_at', { operationType: 'TIME_POINT', operator: 'IS_BEFORE', timePoint: { timeType: 'DATE', year: 2026, month: 3, day: 1, zoneId: 'Europe/Moscow' } }), { field: 'properties.signup_at', op: 'before', value: '2026-02-28T21:00:00.000Z' }],
    ['ALL_PROPERTY IS_UNKNOWN', property('email', { operationType: 'ALL_PROPERTY', operator: 'IS_UNKNOWN' }), { field: 'properties.email', op: 'is_unknown' }],
    ['ALL_PROPERTY IS_NOT_KNOWN (spelling seen elsewhere)', property('email', { operationType: 'ALL_PROPERTY', operator: 'IS_NOT_KNOWN' }), { field: 'properties.email', op: 'is_unknown' }],
  ])('%s', (_name, filter, expected) => {
    const result = translateListFilters(orOfAnd(filter));
    expect(result.untranslatable).toEqual([]);
    expect(result.filter).toEqual({ or: [{ and: [expected] }] });
    expect(() => parseFilter(result.filter)).not.toThrow();
  });

  it('keeps NOT_ALL and NOT_ANY branches as negations', () => {
    const branch = {
      filterBranchType: 'OR', filters: [], filterBranches: [{
        filterBranchType: 'AND', filters: [property('email', { operationType: 'ALL_PROPERTY', operator: 'IS_KNOWN' })],
        filterBranches: [{ filterBranchType: 'NOT_ANY', filterBranches: [], filters: [property('city', { operationType: 'STRING', operator: 'IS_EQUAL_TO', value: 'Chicago' })] }],
      }],
    };
    expect(translateListFilters(branch).filter).toEqual({ or: [{ and: [{ field: 'properties.email', op: 'is_known' }, { not: { or: [{ field: 'properties.city', op: 'eq', value: 'Chicago' }] } }] }] });
  });

  it.each([
    ['history operators', property('city', { operationType: 'STRING', operator: 'HAS_EVER_BEEN_EQUAL_TO', value: 'x' }), 'the history of a value is not kept locally'],
    ['relative time points', property('signup_at', { operationType: 'TIME_POINT', operator: 'IS_AFTER', timePoint: { timeType: 'INDEXED', indexReference: { referenceType: 'TODAY' } } }), 'no usable date'],
    ['IS_EXACTLY on enumerations', property('lifecyclestage', { operationType: 'ENUMERATION', operator: 'IS_EXACTLY', values: ['lead'] }), 'the IS_EXACTLY operator has no exact local equivalent'],
    ['CALENDAR_DATE', property('signup_at', { operationType: 'CALENDAR_DATE', operator: 'IN_THIS_TIME_UNIT', timeUnit: 'MONTH' }), 'the CALENDAR_DATE operation is not supported locally'],
    ['other lists', { filterType: 'IN_LIST', listId: '12', operator: 'IN_LIST' }, 'a IN_LIST filter is not a property filter'],
  ])('falls back on %s, naming the filter', (_name, filter, reason) => {
    const result = translateListFilters(orOfAnd(property('email', { operationType: 'ALL_PROPERTY', operator: 'IS_KNOWN' }), filter));
    expect(result.filter).toBeUndefined();
    expect(result.untranslatable).toHaveLength(1);
    expect(result.untranslatable[0]).toMatch(/^root > branch 1, filter 2: /);
    expect(result.untranslatable[0]).toContain(reason);
  });

  it('falls back on association and event branches', () => {
    const branch = { filterBranchType: 'OR', filters: [], filterBranches: [{ filterBranchType: 'ASSOCIATION', objectTypeId: '0-2', operator: 'IN_LIST', filters: [], filterBranches: [] }] };
    expect(translateListFilters(branch).untranslatable).toEqual(['root > branch 1: a ASSOCIATION branch (a condition on associated records) cannot be evaluated on local contacts']);
  });
});
