import type { Condition, FilterNode } from '../../src/segments/filter-types.js';
import { translateOperation, type Operation } from './list-operations.js';

/**
 * A HubSpot list's `filterBranch` (Lists API v3, CONTRACTS Part A §1) as a local filter tree over
 * `properties.<name>`: the sync keeps each HubSpot property it brings under its own name. Only what
 * can be evaluated exactly is translated: PROPERTY filters on values we hold, inside OR / AND /
 * NOT_ALL / NOT_ANY branches. Everything else (events, subscriptions, other lists, associations,
 * history and relative-date operators) is named in `untranslatable`, and then no filter is returned:
 * half a filter would be a different audience.
 */
export interface ListTranslation {
  filter?: FilterNode;
  untranslatable: string[];
  /** HubSpot properties the filter reads. */
  properties: string[];
}

interface Branch {
  filterBranchType?: unknown;
  filterBranches?: unknown;
  filters?: unknown;
}

interface Filter {
  filterType?: unknown;
  property?: unknown;
  operation?: unknown;
}

interface Context {
  untranslatable: string[];
  properties: Set<string>;
}

export function translateListFilters(filterBranch: unknown): ListTranslation {
  const context: Context = { untranslatable: [], properties: new Set() };
  if (filterBranch === undefined || filterBranch === null) {
    return { untranslatable: ['the list came without filters (includeFilters=true was not honoured)'], properties: [] };
  }
  const filter = translateBranch(filterBranch, 'root', context);
  const properties = [...context.properties];
  return context.untranslatable.length === 0 && filter !== undefined ? { filter, untranslatable: [], properties } : { untranslatable: context.untranslatable, properties };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function translateBranch(input: unknown, where: string, context: Context): FilterNode | undefined {
  if (typeof input !== 'object' || input === null) {
    context.untranslatable.push(`${where}: not a filter branch`);
    return undefined;
  }
  const branch = input as Branch;
  const type = String(branch.filterBranchType);
  const children: FilterNode[] = [];
  asArray(branch.filters).forEach((filter, index) => {
    const node = translateFilter(filter, `${where}, filter ${index + 1}`, context);
    if (node) children.push(node);
  });
  asArray(branch.filterBranches).forEach((child, index) => {
    const node = translateBranch(child, `${where} > branch ${index + 1}`, context);
    if (node) children.push(node);
  });
  switch (type) {
    case 'OR':
      return { or: children };
    case 'AND':
      return { and: children };
    case 'NOT_ALL':
      return { not: { and: children } };
    case 'NOT_ANY':
      return { not: { or: children } };
    default:
      context.untranslatable.push(`${where}: a ${type} branch (${describeBranch(type)}) cannot be evaluated on local contacts`);
      return undefined;
  }
}

function describeBranch(type: string): string {
  if (type === 'ASSOCIATION' || type === 'PROPERTY_ASSOCIATION') return 'a condition on associated records';
  if (type === 'UNIFIED_EVENTS') return 'a condition on events';
  return 'not a property condition';
}

function translateFilter(input: unknown, where: string, context: Context): FilterNode | undefined {
  const filter = (typeof input === 'object' && input !== null ? input : {}) as Filter;
  const type = String(filter.filterType);
  if (type === 'CONSTANT') {
    const accept = (input as { shouldAccept?: unknown }).shouldAccept === true;
    return accept ? { and: [] } : { not: { and: [] } };
  }
  if (type !== 'PROPERTY' || typeof filter.property !== 'string' || typeof filter.operation !== 'object' || filter.operation === null) {
    context.untranslatable.push(`${where}: a ${type} filter is not a property filter`);
    return undefined;
  }
  const operation = filter.operation as Operation;
  const field = `properties.${filter.property}` as Condition['field'];
  const result = translateOperation(field, operation);
  if (typeof result === 'string') {
    context.untranslatable.push(`${where}: property ${filter.property} ${String(operation.operationType)} ${String(operation.operator)}: ${result}`);
    return undefined;
  }
  context.properties.add(filter.property);
  return result;
}
