import type { Config } from '../config.js';
import { reportSecret, signReportLink } from './report-auth.js';

/**
 * A signed link to a campaign's report page that works without the API key until it expires:
 * PUBLIC_URL when set, else the address `serve` listens on.
 */
export function reportLink(config: Config, campaignId: string, options: { now: Date; ttlHours: number }): { url: string; expiresAt: string } {
  const expiresAt = Math.floor(options.now.getTime() / 1000 + options.ttlHours * 3600);
  const { exp, sig } = signReportLink(reportSecret(config), campaignId, expiresAt);
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const base = (config.PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`).replace(/\/+$/, '');
  return { url: `${base}/reports/campaigns/${encodeURIComponent(campaignId)}?exp=${exp}&sig=${sig}`, expiresAt: new Date(expiresAt * 1000).toISOString() };
}
