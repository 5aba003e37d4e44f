import type { Contact, ContactFields } from './contact.js';
import { resolveTimezone } from './timezone.js';

export type MergeOutcome = 'created' | 'updated' | 'unchanged';

type ScalarField = 'firstName' | 'lastName' | 'middleName' | 'gender' | 'birthDate' | 'city' | 'country';
const SCALAR_FIELDS: readonly ScalarField[] = ['firstName', 'lastName', 'middleName', 'gender', 'birthDate', 'city', 'country'];

function dedupe(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const key = value.toLocaleLowerCase();
    if (value && !seen.has(key)) {
      seen.add(key);
      out.push(value);
    }
  }
  return out;
}

/**
 * Merges what a source says about a contact into what we know. Newer non-empty values win;
 * an empty cell never erases anything known. Tags accumulate; a non-empty interests list replaces
 * the old one (interests describe the person now). An explicit timezone beats one derived from
 * the city or the number, and a derived one is recomputed when the city changes.
 */
export function mergeContact(
  existing: Contact | undefined,
  incoming: ContactFields,
  context: { now: string; newId: () => string },
): { contact: Contact; outcome: MergeOutcome } {
  // A new contact (most rows of a first import) is built once, not copied from an empty one.
  const merged: Contact = existing
    ? { ...existing, interests: [...existing.interests], tags: [...existing.tags], properties: { ...existing.properties } }
    : { id: context.newId(), phone: incoming.phone, interests: [], tags: [], properties: {}, createdAt: context.now, updatedAt: context.now };
  for (const field of SCALAR_FIELDS) {
    const value = incoming[field];
    if (value !== undefined && value !== '') (merged as Record<ScalarField, string | undefined>)[field] = value;
  }
  if (incoming.interests && incoming.interests.length > 0) merged.interests = dedupe(incoming.interests);
  if (incoming.tags && incoming.tags.length > 0) merged.tags = dedupe([...merged.tags, ...incoming.tags]);
  for (const [key, value] of Object.entries(incoming.properties ?? {})) if (value !== '') merged.properties[key] = value;
  if (incoming.crm) merged.crm = { ...incoming.crm };
  applyTimezone(merged, incoming);

  if (!existing) return { contact: merged, outcome: 'created' };
  if (sameContact(existing, merged)) return { contact: existing, outcome: 'unchanged' };
  return { contact: { ...merged, updatedAt: context.now }, outcome: 'updated' };
}

function applyTimezone(merged: Contact, incoming: ContactFields): void {
  const explicit = incoming.timezone ? resolveTimezone({ explicit: incoming.timezone }) : undefined;
  if (explicit?.source === 'explicit') {
    merged.timezone = explicit.timezone;
    merged.timezoneSource = 'explicit';
    return;
  }
  if (merged.timezoneSource === 'explicit' && merged.timezone) return;
  const derived = resolveTimezone({ city: merged.city, country: merged.country });
  if (derived) {
    merged.timezone = derived.timezone;
    merged.timezoneSource = derived.source;
  } else {
    delete merged.timezone;
    delete merged.timezoneSource;
  }
}

/** Equal in everything but the update time. */
export function sameContact(a: Contact, b: Contact): boolean {
  if (a === b) return true;
  for (const key of COMPARED_SCALARS) if (a[key] !== b[key]) return false;
  return (
    sameList(a.interests, b.interests) &&
    sameList(a.tags, b.tags) &&
    sameRecord(a.properties, b.properties) &&
    a.crm?.system === b.crm?.system &&
    a.crm?.id === b.crm?.id
  );
}

const COMPARED_SCALARS = ['id', 'phone', 'firstName', 'lastName', 'middleName', 'gender', 'birthDate', 'city', 'country', 'timezone', 'timezoneSource', 'createdAt'] as const;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key] || !(key in b)) return false;
  return true;
}
