import type { ConsentStatus } from '../consent/consent.js';
import { maskPhone } from '../common/mask.js';
import type { ContactFields } from './contact.js';
import type { ColumnMapping } from './columns.js';
import { parseConsentCell, parseDateCell, parseGender, splitFullName, splitList } from './columns.js';
import type { PhoneRejection } from './phone.js';
import { normalizePhone } from './phone.js';
import { hubspotZoneToIana, isValidTimeZone } from './timezone.js';

export interface RowProblem {
  row: number;
  /** The column's header as written in the file. */
  column?: string;
  reason: string;
  /** The offending value, with phone numbers masked. */
  value: string;
}

export type RowResult =
  | { ok: true; fields: ContactFields; consent?: { status: ConsentStatus; column: string }; warnings: RowProblem[] }
  | { ok: false; problem: RowProblem & { reason: PhoneRejection } };

/**
 * Turns one row of cells into contact fields. A bad phone rejects the row (there is nothing to key
 * it by); any other bad cell is dropped with a warning and the rest of the row is kept.
 */
export function rowToFields(row: number, cells: readonly string[], mapping: ColumnMapping, defaultCountry: string): RowResult {
  const fields: ContactFields = { phone: '' };
  const warnings: RowProblem[] = [];
  let consent: { status: ConsentStatus; column: string } | undefined;
  let fullName: { header: string; value: string } | undefined;
  let phoneCell: { header: string; value: string } | undefined;
  const warn = (column: string, reason: string, value: string): void => {
    warnings.push({ row, column, reason, value: value.length > 64 ? `${value.slice(0, 61)}...` : value });
  };

  for (const { index, header, target } of mapping.columns) {
    const raw = (cells[index] ?? '').trim();
    // Excel writes line breaks inside cells as CRLF; keep one form.
    const value = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
    if (target === 'phone') {
      if (!phoneCell || (!phoneCell.value && value)) phoneCell = { header, value };
      continue;
    }
    if (value === '') continue;
    switch (target) {
      case 'firstName':
      case 'lastName':
      case 'middleName':
      case 'city':
        fields[target] = value;
        break;
      case 'fullName':
        fullName = { header, value };
        break;
      case 'gender': {
        const parsed = parseGender(value);
        if (parsed.ok) {
          if (parsed.value) fields.gender = parsed.value;
        } else warn(header, 'invalid_gender', value);
        break;
      }
      case 'birthDate': {
        // A bare year (1985) or small number is far likelier a mistake than an Excel date before 1910.
        const parsed = /^\d{1,4}$/.test(value) ? ({ ok: false } as const) : parseDateCell(value);
        if (parsed.ok) {
          if (parsed.date) fields.birthDate = parsed.date;
        } else warn(header, 'invalid_date', value);
        break;
      }
      case 'timezone': {
        const zone = isValidTimeZone(value) ? value : hubspotZoneToIana(value);
        if (zone) fields.timezone = zone;
        else warn(header, 'invalid_timezone', value);
        break;
      }
      case 'interests':
      case 'tags':
        fields[target] = splitList(value);
        break;
      case 'consent': {
        const parsed = parseConsentCell(value);
        if (parsed.ok) {
          if (parsed.value) consent = { status: parsed.value, column: header };
        } else warn(header, 'invalid_consent', value);
        break;
      }
      case 'email':
        (fields.properties ??= {}).email = value;
        break;
      default:
        if (target.startsWith('properties.')) (fields.properties ??= {})[target.slice('properties.'.length)] = value;
    }
  }

  const phone = normalizePhone(phoneCell?.value, defaultCountry);
  if (!phone.ok) {
    return {
      ok: false,
      problem: { row, ...(phoneCell ? { column: phoneCell.header } : {}), reason: phone.reason, value: phoneCell?.value ? maskPhone(phoneCell.value) : '' },
    };
  }
  fields.phone = phone.e164;
  if (phone.country) fields.country = phone.country;
  if (fullName && !fields.firstName && !fields.lastName) {
    const split = splitFullName(fullName.value);
    if (split.ok) {
      const { ok: _ok, ...names } = split;
      Object.assign(fields, names);
    } else {
      // Kept whole, so nothing is lost; the report names the row so the name can be fixed by hand.
      (fields.properties ??= {}).fullName = fullName.value;
      warn(fullName.header, 'full_name_not_split', fullName.value);
    }
  }
  return consent ? { ok: true, fields, consent, warnings } : { ok: true, fields, warnings };
}
