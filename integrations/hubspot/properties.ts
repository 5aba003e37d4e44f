import type { PropertySetupResult } from '../../src/crm/port.js';

/** The group sms-bridge's contact properties live in, so they are easy to find in HubSpot's settings. */
export const PROPERTY_GROUP = { name: 'sms_bridge', label: 'SMS (sms-bridge)', displayOrder: -1 };

/** The contact properties sms-bridge reads and writes (POST /crm/v3/properties/contacts bodies). */
export const SMS_PROPERTIES = [
  {
    name: 'sms_consent',
    label: 'SMS consent',
    description: 'Consent to marketing SMS, kept in step with sms-bridge. An opt-out made by the recipient cannot be lifted from HubSpot.',
    type: 'enumeration',
    fieldType: 'select',
    groupName: PROPERTY_GROUP.name,
    options: [
      { label: 'Opted in', value: 'opted_in', displayOrder: 0, hidden: false },
      { label: 'Opted out', value: 'opted_out', displayOrder: 1, hidden: false },
      { label: 'Unknown', value: 'unknown', displayOrder: 2, hidden: false },
    ],
  },
  { name: 'sms_consent_updated_at', label: 'SMS consent updated at', description: 'When SMS consent last changed.', type: 'datetime', fieldType: 'date', groupName: PROPERTY_GROUP.name },
  { name: 'sms_last_status', label: 'Last SMS status', description: 'Status of the last SMS sent by sms-bridge (delivered, failed, ...).', type: 'string', fieldType: 'text', groupName: PROPERTY_GROUP.name },
] as const;

/** Which of our properties exist, from one read of the portal's contact properties. */
export function missingProperties(existing: ReadonlySet<string>): { missing: typeof SMS_PROPERTIES[number][]; present: PropertySetupResult[] } {
  const missing = SMS_PROPERTIES.filter((property) => !existing.has(property.name));
  const present = SMS_PROPERTIES.filter((property) => existing.has(property.name)).map((property) => ({ name: property.name, outcome: 'exists' as const }));
  return { missing, present };
}
