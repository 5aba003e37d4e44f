import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../src/common/clock.js';
import { syncContacts } from '../../src/crm/sync-contacts.js';
import { realTimers } from '../../src/delivery/timers.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { connectHubSpot, hubspotSettings, hubspotConfigSchema } from '../../integrations/hubspot/index.js';
import { startHubSpotStandIn, type StandInContact } from '../helpers/hubspot-stand-in.js';

export interface HubSpotSyncBenchResult {
  contacts: number;
  seconds: number;
  minSeconds: number;
  ratio: number;
  requests: number;
  rateLimited: number;
  serverRejected: number;
  created: number;
}

const ZONES = ['america_slash_new_york', 'america_slash_chicago', 'europe_slash_moscow', 'asia_slash_yekaterinburg'];

export function standInContacts(count: number): StandInContact[] {
  return Array.from({ length: count }, (_, i) => {
    const id = String(1001 + i);
    const russian = i % 2 === 0;
    return {
      id,
      updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      properties: {
        firstname: russian ? `Иван${i}` : `John${i}`,
        lastname: 'Test',
        mobilephone: russian ? `+7912${String(1_000_000 + i).slice(-7)}` : `+1312555${String(Math.floor(i / 2)).padStart(4, '0')}`,
        phone: null,
        city: russian ? 'Москва' : 'Chicago',
        hs_timezone: ZONES[i % ZONES.length] ?? null,
        sms_consent: i % 10 === 0 ? 'opted_out' : 'opted_in',
        email: `person${i}@example.com`,
      },
    };
  });
}

/**
 * A full sync of 20,000 contacts from the local stand-in, which ENFORCES HubSpot Starter's real burst
 * limit (100 requests per sliding 10 s, 429 past it). The budget's floor for N requests is
 * floor((N - 1) / 100) × 10 s: 200 pages of 100 plus one page of deleted contacts = 201 requests = 20 s.
 */
export async function benchHubSpotSync(count = 20_000): Promise<HubSpotSyncBenchResult> {
  const standIn = await startHubSpotStandIn({ contacts: standInContacts(count), requestsPerWindow: 100, windowMs: 10_000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-hubspot-'));
  const store = await LowdbStore.open({ dataDir: dir, maxBytes: 1024 * 1024 * 1024 });
  try {
    const settings = hubspotSettings(hubspotConfigSchema.parse({ HUBSPOT_ACCESS_TOKEN: 'pat-bench-token', HUBSPOT_API_BASE: standIn.url, HUBSPOT_REQUESTS_PER_10S: '100' }));
    const hubspot = connectHubSpot(settings, { clock: systemClock, timers: realTimers });
    const summary = await syncContacts({ full: true, map: settings.properties, defaultCountry: 'RU' }, { crm: hubspot.crm, store, clock: systemClock, newId: randomUUID });
    const minSeconds = Math.floor((summary.requests - 1) / 100) * 10;
    return {
      contacts: summary.fetched, seconds: summary.seconds, minSeconds, ratio: summary.seconds / minSeconds, requests: summary.requests,
      rateLimited: summary.rateLimited, serverRejected: standIn.stats.rejected, created: summary.created,
    };
  } finally {
    await store.close();
    await standIn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
