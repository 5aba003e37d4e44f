import { gsmSafeText } from '../messages/encoding.js';

/** The campaign as analytics see it: its name in lower-case Latin letters, digits and dashes (else its id). */
export function campaignSlug(campaign: { id: string; name: string }): string {
  const latin = gsmSafeText(campaign.name.normalize('NFKD'), { transliterate: true }).text;
  const slug = latin.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return slug || campaign.id;
}

/**
 * The link with the campaign's UTM parameters (utm_source=sms, utm_medium=sms, utm_campaign=<slug>);
 * a parameter the link already carries is kept as it is. A link that does not parse is returned as written.
 */
export function withUtm(url: string, slug: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // A Location header must be ASCII: percent-encode whatever is not.
    return encodeURI(url);
  }
  const add: Array<[string, string]> = [['utm_source', 'sms'], ['utm_medium', 'sms'], ['utm_campaign', slug]];
  const missing = add.filter(([name]) => !parsed.searchParams.has(name));
  if (missing.length === 0) return url;
  for (const [name, value] of missing) parsed.searchParams.append(name, value);
  return parsed.toString();
}
