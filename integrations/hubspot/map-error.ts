import { CrmError } from '../../src/crm/port.js';
import { describeHttpError } from './request-budget.js';

/**
 * HubSpot failures as CrmErrors: a pure table from the HTTP status (the SDK's ApiException and our raw
 * requests carry the same { code, body, headers }). Code branches on `code`, never on the message.
 */
export function mapHubSpotError(error: unknown, what: string): CrmError {
  if (error instanceof CrmError) return error;
  const seen = describeHttpError(error);
  const detail = vendorMessage(error);
  const message = `HubSpot refused ${what}${seen.status ? ` (HTTP ${seen.status})` : ''}${detail ? `: ${detail}` : ''}`;
  const options = { cause: error, ...(seen.status ? { status: seen.status } : {}) };
  if (seen.network) return new CrmError('unavailable', `HubSpot could not be reached while ${what}.`, { ...options, retryable: true, hint: 'Check the network and HUBSPOT_API_BASE.' });
  switch (true) {
    case seen.status === 401:
      return new CrmError('auth_failed', message, { ...options, hint: 'Check HUBSPOT_ACCESS_TOKEN: a private app token (pat-...) from HubSpot > Settings > Integrations > Private apps.' });
    case seen.status === 403:
      return new CrmError('missing_scope', message, { ...options, hint: 'The private app lacks a scope; `smsbridge doctor` names the missing ones.' });
    case seen.status === 404:
      return new CrmError('not_found', message, options);
    case seen.status === 429:
      return new CrmError('rate_limited', message, { ...options, retryable: true, hint: 'The account\'s API limit is used up; lower HUBSPOT_REQUESTS_PER_10S if other apps share it, or try later.' });
    case seen.status !== undefined && seen.status >= 500:
      return new CrmError('unavailable', message, { ...options, retryable: true, hint: 'HubSpot is having trouble; try again later.' });
    case seen.status !== undefined && seen.status >= 400:
      return new CrmError('bad_request', message, options);
    default:
      return new CrmError('unknown', `${what}: ${error instanceof Error ? error.message : String(error)}`, options);
  }
}

function vendorMessage(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message.slice(0, 200);
  return undefined;
}
