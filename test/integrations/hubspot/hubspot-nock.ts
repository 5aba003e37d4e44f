import nock from 'nock';
import { fixedClock } from '../../../src/common/clock.js';
import type { Timers } from '../../../src/delivery/timers.js';
import { connectHubSpot, hubspotConfigSchema, hubspotSettings } from '../../../integrations/hubspot/index.js';
import { answerStandIn, type StandInData } from '../../helpers/hubspot-stand-in.js';

export const API = 'https://api.hubapi.com';

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface InjectedFailure {
  method: 'GET' | 'POST';
  path: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * HubSpot at the wire: one nock scope for api.hubapi.com whose answers come from the same data-driven
 * handler as the local stand-in, plus failures injected in order (a 429, a 503) before a path answers.
 */
export function mockHubSpot(data: StandInData, options: { methods?: Array<'GET' | 'POST'>; failures?: InjectedFailure[] } = {}) {
  const calls: RecordedCall[] = [];
  const failures = [...(options.failures ?? [])];
  const reply = (method: string) => (uri: string, body: nock.Body): [number, unknown, Record<string, string>] => {
    const url = new URL(uri, API);
    const parsed = typeof body === 'string' && body !== '' ? (JSON.parse(body) as unknown) : body === '' ? undefined : body;
    calls.push({ method, path: url.pathname, query: url.searchParams, body: parsed });
    const failure = failures.findIndex((f) => f.method === method && f.path === url.pathname);
    if (failure >= 0) {
      const [injected] = failures.splice(failure, 1);
      return [injected?.status ?? 500, injected?.body ?? { status: 'error', message: 'injected' }, injected?.headers ?? {}];
    }
    const answer = answerStandIn(data, { method, path: url.pathname, query: url.searchParams, body: parsed });
    return [answer.status, answer.body, {}];
  };
  let scope = nock(API).persist();
  for (const method of options.methods ?? ['GET', 'POST']) {
    scope = method === 'GET' ? scope.get(/.*/).reply(reply('GET')) : scope.post(/.*/).reply(reply('POST'));
  }
  return { scope, calls, failures };
}

/** Timers that never wait: each wait moves the clock forward by its length, so budget waits are visible and instant. */
export function instantTimers(clock: ReturnType<typeof fixedClock>): Timers {
  return {
    setTimeout: (fn, ms) => {
      clock.advance(Math.max(0, ms));
      return setImmediate(fn);
    },
    clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate),
  };
}

/** A HubSpot connection on a fixed clock with instant timers, as the app builds it. */
export function testConnection(env: Record<string, string> = {}, start = '2026-05-01T00:00:00.000Z') {
  const clock = fixedClock(start);
  const settings = hubspotSettings(hubspotConfigSchema.parse({ HUBSPOT_ACCESS_TOKEN: 'pat-na1-test-token', ...env }));
  const hubspot = connectHubSpot(settings, { clock, timers: instantTimers(clock) });
  return { clock, settings, hubspot };
}
