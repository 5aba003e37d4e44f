import { Client } from '@hubspot/api-client';
import type { Clock } from '../../src/common/clock.js';
import type { Timers } from '../../src/delivery/timers.js';
import type { RequestBudget, RequestKind } from './request-budget.js';
import { createRequestBudget } from './request-budget.js';

/**
 * The one place the SDK's Client is built. Its own retry and limiter stay off
 * (`numberOfApiCallRetries: 0`, no `limiterOptions`): its retry counts attempts and ignores
 * Retry-After, its limiter knows nothing of search's separate limit, and both live in a process-wide
 * singleton that the next `new Client()` overwrites. Every call goes through `call`, which waits for
 * the shared request budget instead.
 */
export interface HubSpotClient {
  /** Runs one SDK call within the budget: `hubspot.call('search', (sdk) => sdk.crm.contacts.searchApi.doSearch(body))`. */
  call<T>(kind: RequestKind, request: (sdk: Client) => Promise<T>): Promise<T>;
  readonly budget: RequestBudget;
}

export interface HubSpotClientSettings {
  /** Private app token (HUBSPOT_ACCESS_TOKEN). */
  accessToken?: string;
  /** Developer API key, for the app's workflow action definitions (they refuse app tokens). */
  developerApiKey?: string;
  /** HUBSPOT_API_BASE: the SDK's basePath (a proxy, or a local stand-in in tests and the demo). */
  apiBase: string;
  requestsPer10s: number;
}

export interface HubSpotClientDeps {
  clock: Clock;
  timers: Timers;
  /** Share one budget between clients of the same account (token and developer key). */
  budget?: RequestBudget;
  random?: () => number;
}

export function createHubSpotClient(settings: HubSpotClientSettings, deps: HubSpotClientDeps): HubSpotClient {
  const sdk = new Client({
    ...(settings.accessToken ? { accessToken: settings.accessToken } : {}),
    ...(settings.developerApiKey ? { developerApiKey: settings.developerApiKey } : {}),
    basePath: settings.apiBase,
    numberOfApiCallRetries: 0,
  });
  const budget =
    deps.budget ??
    createRequestBudget({ requestsPerWindow: settings.requestsPer10s }, { clock: deps.clock, timers: deps.timers, ...(deps.random ? { random: deps.random } : {}) });
  return {
    budget,
    call: (kind, request) => budget.run(kind, () => request(sdk)),
  };
}
