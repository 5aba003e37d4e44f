import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { TwilioConfig } from './config.js';

/**
 * Destinations where Twilio cannot show an alphanumeric sender: the North American numbering plan's
 * US, Canada and Puerto Rico (Twilio error 21612; "Alphanumeric Sender ID", Twilio glossary). Twilio's
 * "International support for Alphanumeric Sender ID" article lists each country.
 */
export const NO_ALPHANUMERIC_SENDER: ReadonlySet<string> = new Set(['US', 'CA', 'PR']);

const PHONE = /^\+?\d+$/;
const isName = (sender: string): boolean => !PHONE.test(sender);
const countryOf = (to: string): string | undefined => parsePhoneNumberFromString(to)?.country;
/** North American numbers' countries by area code ("+1415"): one parse per area code, not per message. */
const nanpCountries = new Map<string, string>();

/**
 * The country of `to` where it matters here (a number of the North American plan, the only one whose
 * countries refuse names); other E.164 numbers need no parse. Sending calls this once per message.
 */
function countryForSender(to: string): string | undefined {
  if (!to.startsWith('+')) return countryOf(to);
  if (!to.startsWith('+1')) return undefined;
  const areaCode = to.slice(0, 5);
  const known = nanpCountries.get(areaCode);
  if (known !== undefined) return known;
  // Only a number that names its country is remembered for its area code; an odd one is parsed each time.
  const country = countryOf(to);
  if (country !== undefined) {
    if (nanpCountries.size > 2000) nanpCountries.clear();
    nanpCountries.set(areaCode, country);
  }
  return country;
}

export type TwilioSender = { ok: true; fields: { From?: string; MessagingServiceSid?: string } } | { ok: false; message: string };

/** A number (or short code) to send from where a name cannot be shown: TWILIO_FROM when it is one. */
const fallbackNumber = (config: Pick<TwilioConfig, 'from'>): string | undefined => (config.from !== undefined && !isName(config.from) ? config.from : undefined);

/**
 * `From` / `MessagingServiceSid` for one message. With a Messaging Service, the service picks: its
 * alphanumeric sender where the country allows one, else a number from its pool (Twilio sets `From`
 * itself). Without one, the campaign's sender is `From`: a name where the destination allows it, and
 * TWILIO_FROM (a number) where it does not.
 */
export function twilioSenderFields(config: Pick<TwilioConfig, 'from' | 'messagingServiceSid'>, sender: string, to: string): TwilioSender {
  if (config.messagingServiceSid !== undefined) {
    return { ok: true, fields: { MessagingServiceSid: config.messagingServiceSid, ...(sender === config.from && !isName(sender) ? { From: sender } : {}) } };
  }
  if (!isName(sender)) return { ok: true, fields: { From: sender } };
  const country = countryForSender(to);
  if (country === undefined || !NO_ALPHANUMERIC_SENDER.has(country)) return { ok: true, fields: { From: sender } };
  const number = fallbackNumber(config);
  if (number !== undefined) return { ok: true, fields: { From: number } };
  return { ok: false, message: `Twilio cannot send from the name "${sender}" to a ${country} number; set TWILIO_FROM to a Twilio number or use TWILIO_MESSAGING_SERVICE_SID` };
}

/** What preview and create tell the user about how `sender` reaches the phone through Twilio; empty when it is shown as is. */
export function twilioSenderNotes(config: Pick<TwilioConfig, 'from' | 'messagingServiceSid'>, sender: string): string[] {
  if (config.messagingServiceSid !== undefined) {
    if (sender === config.from && !isName(sender)) return [];
    return [`Twilio sends through the Messaging Service ${config.messagingServiceSid.slice(0, 4)}…: phones show the service's own alphanumeric sender where the country allows one, else a number from its pool, not "${sender}"`];
  }
  if (!isName(sender)) return [];
  const countries = [...NO_ALPHANUMERIC_SENDER].join(', ');
  const number = fallbackNumber(config);
  return [
    number !== undefined
      ? `Twilio cannot show the name "${sender}" to ${countries} numbers: those messages go from ${number} (TWILIO_FROM)`
      : `Twilio cannot show the name "${sender}" to ${countries} numbers: those messages will be refused; set TWILIO_FROM to a Twilio number or use TWILIO_MESSAGING_SERVICE_SID`,
  ];
}
