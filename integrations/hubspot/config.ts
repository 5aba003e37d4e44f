import { z } from 'zod';
import type { CrmPropertyMap } from '../../src/crm/map-contact.js';
import { validateCron } from '../../src/schedule/scheduler.js';

const propertyName = z
  .string()
  .trim()
  .regex(/^[a-z0-9_]+$/, 'must be a HubSpot internal property name (lower case letters, digits and _), such as mobilephone');

/** "mobilephone,phone" → ["mobilephone", "phone"]. */
const propertyList = (example: string) =>
  z
    .string()
    .trim()
    .regex(/^[a-z0-9_]+(\s*,\s*[a-z0-9_]+)*$/, `must be HubSpot internal property names separated by commas, such as ${example}`)
    .transform((text) => text.split(',').map((name) => name.trim()));

// As SMSRU_API_BASE and VONAGE_API_BASE: an http(s) URL, its trailing slash dropped for joining paths.
const url = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://api.hubapi.com' })
  .transform((value) => value.replace(/\/+$/, ''));

const cron = z.string().trim().superRefine((value, ctx) => {
  const checked = validateCron(value);
  if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.reason });
});

/**
 * The HubSpot variables, composed into src/config.ts. Nothing is required: without
 * HUBSPOT_ACCESS_TOKEN the HubSpot commands say what to set, and the rest of the service runs.
 */
export const hubspotConfigShape = {
  HUBSPOT_ACCESS_TOKEN: z.string().trim().min(10, 'must be the private app access token (pat-...), from HubSpot: Settings > Integrations > Private apps').optional(),
  HUBSPOT_CLIENT_SECRET: z.string().trim().min(8, 'must be the app client secret, from the app\'s Auth page in HubSpot').optional(),
  HUBSPOT_API_BASE: url.default('https://api.hubapi.com'),
  HUBSPOT_REQUESTS_PER_10S: z.coerce.number().int().min(1, 'must be a whole number of requests per 10 seconds: 100 (Free/Starter) or 190 (Professional/Enterprise)').max(1000).default(100),
  HUBSPOT_SYNC_CRON: cron.default('*/15 * * * *'),
  HUBSPOT_PHONE_PROPERTIES: propertyList('mobilephone,phone').default(['mobilephone', 'phone']),
  HUBSPOT_FIRST_NAME_PROPERTY: propertyName.default('firstname'),
  HUBSPOT_LAST_NAME_PROPERTY: propertyName.default('lastname'),
  HUBSPOT_BIRTH_DATE_PROPERTY: propertyName.default('date_of_birth'),
  HUBSPOT_CITY_PROPERTY: propertyName.default('city'),
  HUBSPOT_GENDER_PROPERTY: propertyName.default('gender'),
  HUBSPOT_INTERESTS_PROPERTY: propertyName.default('interests'),
  HUBSPOT_TIMEZONE_PROPERTY: propertyName.default('hs_timezone'),
  HUBSPOT_CONSENT_PROPERTY: propertyName.default('sms_consent'),
  HUBSPOT_SYNC_PROPERTIES: propertyList('email,lifecyclestage').default(['email', 'lifecyclestage', 'hs_lead_status', 'country', 'state']),
  // The "Send SMS" workflow action: installed with the developer account's key into its app; the
  // generic "Send a webhook" action authenticates with a shared secret instead.
  HUBSPOT_DEVELOPER_API_KEY: z.string().trim().min(8, 'must be the developer API key of the HubSpot developer account that owns the app (Apps > Get HubSpot API key)').optional(),
  HUBSPOT_APP_ID: z.string().trim().regex(/^\d{1,12}$/, 'must be the numeric id of the HubSpot app the workflow action belongs to (on the app\'s page in the developer account)').optional(),
  HUBSPOT_WEBHOOK_SECRET: z.string().trim().min(16, 'must be at least 16 characters (generate one: openssl rand -hex 24)').optional(),
};

export const hubspotConfigSchema = z.object(hubspotConfigShape);
export type HubSpotEnv = z.output<typeof hubspotConfigSchema>;

export interface HubSpotSettings {
  accessToken: string | undefined;
  clientSecret: string | undefined;
  apiBase: string;
  requestsPer10s: number;
  syncCron: string;
  /** Which HubSpot property feeds which contact field (the first non-empty phone property wins). */
  properties: CrmPropertyMap;
}

export function hubspotSettings(env: HubSpotEnv): HubSpotSettings {
  return {
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    clientSecret: env.HUBSPOT_CLIENT_SECRET,
    apiBase: env.HUBSPOT_API_BASE,
    requestsPer10s: env.HUBSPOT_REQUESTS_PER_10S,
    syncCron: env.HUBSPOT_SYNC_CRON,
    properties: {
      phone: env.HUBSPOT_PHONE_PROPERTIES,
      firstName: env.HUBSPOT_FIRST_NAME_PROPERTY,
      lastName: env.HUBSPOT_LAST_NAME_PROPERTY,
      birthDate: env.HUBSPOT_BIRTH_DATE_PROPERTY,
      city: env.HUBSPOT_CITY_PROPERTY,
      gender: env.HUBSPOT_GENDER_PROPERTY,
      interests: env.HUBSPOT_INTERESTS_PROPERTY,
      timezone: env.HUBSPOT_TIMEZONE_PROPERTY,
      consent: env.HUBSPOT_CONSENT_PROPERTY,
      extra: env.HUBSPOT_SYNC_PROPERTIES,
    },
  };
}
