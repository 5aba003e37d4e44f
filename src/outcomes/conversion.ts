import { z } from 'zod';

/** Where a conversion was recorded from. */
export type ConversionSource = 'api' | 'file' | 'hubspot';

/**
 * What a conversion is credited to: a campaign, through a click on its link, a message of it that
 * reached the contact, or the contact having been held out of it (the holdout group, for lift).
 */
export interface Attribution {
  campaignId: string;
  via: 'click' | 'message' | 'holdout';
  /** The message clicked or received (absent for the holdout). */
  messageId?: string;
  variant?: string;
  /** When the winning touch happened (the click, the send, or the holdout's start). */
  touchedAt: string;
}

/**
 * One order (a purchase, an application) by a contact. `id` is the order id: recording the same
 * order again changes nothing. `attribution` is decided once, when the conversion is recorded.
 */
export interface ConversionRecord {
  id: string;
  contactId: string;
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** When the order happened (ISO). */
  at: string;
  source: ConversionSource;
  recordedAt: string;
  attribution?: Attribution;
}

const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, 'must be a three-letter currency code such as RUB')
  .transform((code) => code.toUpperCase());

/**
 * One conversion as callers send it: who (`contactId` or `phone`), the order id (the idempotency
 * key), the amount in `currency` (default SMS_CURRENCY), and when (default: now).
 */
export const conversionInputSchema = z
  .object({
    contactId: z.string().trim().min(1).max(100).optional(),
    phone: z.string().trim().min(3).max(40).optional().describe('Any usual form; normalised like imports (DEFAULT_COUNTRY for numbers without a country code).'),
    orderId: z.string().trim().min(1).max(200).describe('The order id: the same order sent again is recorded once.'),
    amount: z.number().finite().min(0, 'must be 0 or more').max(1e12),
    currency: currencyCode.optional().describe('ISO 4217 code; default SMS_CURRENCY.'),
    at: z.iso.datetime({ offset: true }).optional().describe('When the order happened (ISO 8601 with a zone); default: now.'),
  })
  .strict()
  .refine((input) => input.contactId !== undefined || input.phone !== undefined, { message: 'give contactId or phone', path: ['contactId'] });
export type ConversionInput = z.infer<typeof conversionInputSchema>;

/** What recording one conversion did. */
export type ConversionOutcome =
  | { orderId: string; result: 'recorded'; attribution?: Attribution }
  | { orderId: string; result: 'duplicate'; attribution?: Attribution }
  | { orderId: string; result: 'conflict'; reason: string }
  | { orderId: string; result: 'unknown_contact'; reason: string };
