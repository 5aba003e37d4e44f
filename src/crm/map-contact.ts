import type { ContactFields, Gender } from '../contacts/contact.js';
import { genderSchema } from '../contacts/contact.js';
import { normalizePhone } from '../contacts/phone.js';
import type { ConsentStatus } from '../consent/consent.js';
import type { CrmContact } from './port.js';

/** Which CRM property feeds which contact field; the first non-empty phone property wins. */
export interface CrmPropertyMap {
  phone: string[];
  firstName: string;
  lastName: string;
  birthDate: string;
  city: string;
  gender: string;
  interests: string;
  timezone: string;
  consent: string;
  /** Kept under their own names in the contact's properties, so segments and list filters can use them. */
  extra: string[];
}

/** Properties the sync asks the CRM for. */
export function syncedProperties(map: CrmPropertyMap): string[] {
  const { phone, extra, ...single } = map;
  return [...new Set([...phone, ...Object.values(single), ...extra])];
}

/** CRM bookkeeping that says nothing about the person: never copied into the contact's properties. */
const BOOKKEEPING = new Set(['hs_object_id', 'lastmodifieddate', 'createdate', 'hs_merged_object_ids']);

export type SkipReason = 'no_phone' | 'invalid_format' | 'invalid_number' | 'not_mobile';

export type MappedContact =
  | { ok: true; fields: ContactFields; consent?: ConsentStatus; cleared: string[] }
  | { ok: false; reason: SkipReason };

/**
 * A CRM record as the fields a merge takes. The number goes through the same normalisation as an
 * import; every fetched property is also kept under its CRM name (`properties.city`), and the ones the
 * CRM has emptied are listed in `cleared`, so the local copy follows the CRM (list filters read them).
 */
export function mapCrmContact(record: CrmContact, map: CrmPropertyMap, context: { system: string; defaultCountry: string }): MappedContact {
  const value = (name: string): string | undefined => {
    const raw = record.properties[name];
    return raw === null || raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const rawPhone = map.phone.map(value).find((v) => v !== undefined);
  if (rawPhone === undefined) return { ok: false, reason: 'no_phone' };
  const phone = normalizePhone(rawPhone, context.defaultCountry);
  if (!phone.ok) return { ok: false, reason: phone.reason === 'missing' ? 'no_phone' : phone.reason };

  const properties: Record<string, string> = { [`${context.system}_id`]: record.id };
  const cleared: string[] = [];
  for (const name of Object.keys(record.properties)) {
    // The number lives in `phone`, normalised; a raw copy in properties would only spread it further.
    if (BOOKKEEPING.has(name) || map.phone.includes(name)) continue;
    const v = value(name);
    if (v === undefined) cleared.push(name);
    else properties[name] = v;
  }
  const fields: ContactFields = { phone: phone.e164, crm: { system: context.system, id: record.id }, properties };
  if (phone.country) fields.country = phone.country;
  const set = <K extends 'firstName' | 'lastName' | 'city' | 'timezone'>(key: K, name: string): void => {
    const v = value(name);
    if (v !== undefined) fields[key] = v;
  };
  set('firstName', map.firstName);
  set('lastName', map.lastName);
  set('city', map.city);
  // hs_timezone slugs (america_slash_new_york) are understood by the merge's zone resolution.
  set('timezone', map.timezone);
  const gender = genderOf(value(map.gender));
  if (gender) fields.gender = gender;
  const birthDate = dateOf(value(map.birthDate));
  if (birthDate) fields.birthDate = birthDate;
  const interests = value(map.interests);
  if (interests) fields.interests = interests.split(';').map((s) => s.trim()).filter(Boolean);
  const consent = consentOf(value(map.consent));
  return { ok: true, fields, cleared, ...(consent ? { consent } : {}) };
}

function genderOf(raw: string | undefined): Gender | undefined {
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  const aliases: Record<string, Gender> = { f: 'female', w: 'female', woman: 'female', m: 'male', man: 'male' };
  const parsed = genderSchema.safeParse(aliases[lower] ?? lower);
  return parsed.success ? parsed.data : undefined;
}

/** HubSpot date properties are midnight-UTC ISO dates or epoch milliseconds. */
function dateOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(raw)) return raw.slice(0, 10);
  if (/^-?\d+$/.test(raw)) return new Date(Number(raw)).toISOString().slice(0, 10);
  return undefined;
}

function consentOf(raw: string | undefined): ConsentStatus | undefined {
  const lower = raw?.toLowerCase();
  return lower === 'opted_in' || lower === 'opted_out' ? lower : undefined;
}
