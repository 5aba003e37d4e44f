import { z } from 'zod';

/**
 * The compliance policy: every rule has a default and can be changed, none can be switched off by
 * leaving a field out. Sources for each rule: /work/shared/CONTRACTS.md Part B §6.
 */

const CLOCK_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const clockTime = z.string().regex(CLOCK_TIME, 'expected a 24-hour local time HH:MM such as 21:00');

/**
 * Quiet hours in the recipient's local time, [start, end): the window may cross midnight.
 * `start === end` means no quiet hours. Neither field has its own default on purpose: giving only
 * `start: '09:00'` must not leave `end` at '09:00' and silently disable the window (§6.1, §6.2).
 */
export const quietWindowSchema = z.object({ start: clockTime, end: clockTime }).strict();
export type QuietWindow = z.infer<typeof quietWindowSchema>;

export const messageKindSchema = z.enum(['marketing', 'transactional']);
export type MessageKind = z.infer<typeof messageKindSchema>;

export const messageLanguageSchema = z.enum(['ru', 'en']);
export type MessageLanguage = z.infer<typeof messageLanguageSchema>;

const localized = (ru: string, en: string) =>
  z
    .object({ ru: z.string().trim().min(1).default(ru), en: z.string().trim().min(1).default(en) })
    .strict()
    .default({ ru, en });
export type LocalizedText = Record<MessageLanguage, string>;

export const senderKindSchema = z.enum(['alphanumeric', 'numeric', 'shortcode']);
export type SenderKind = z.infer<typeof senderKindSchema>;

export const compliancePolicySchema = z
  .object({
    /** Default 21:00–09:00: RU aggregators' usual window and stricter than US 21:00–08:00 (§6.1, §6.2). */
    quietHours: quietWindowSchema.default({ start: '21:00', end: '09:00' }),
    /** Transactional notices are not telephone solicitation (§6.1), so by default only marketing waits. */
    quietHoursApplyTo: z.array(messageKindSchema).min(1).default(['marketing']),
    /** Marketing only: at most `max` messages in any rolling window of `days` × 24 h. */
    frequencyCap: z
      .object({ max: z.int().min(1).default(2), days: z.int().min(1).max(365).default(7) })
      .strict()
      .default({ max: 2, days: 7 }),
    /** No marketing below this age (§6.4: consent captured from a minor is not used for marketing). */
    minorsAge: z.int().min(1).max(99).default(18),
    /** When true, marketing also skips contacts without a (valid) birth date. */
    blockUnknownAge: z.boolean().default(false),
    /** Appended to marketing that lacks it (§6.2 "Реклама" marking, §6.1 CTIA STOP instruction). */
    adLabel: localized('Реклама', 'Ad'),
    optOutText: localized('Отказ: СТОП в ответ', 'Reply STOP to opt out'),
    /** Which kinds of sender id the routes accept; alpha names must also be registered (§6.2). */
    senderRules: z
      .object({ allowedKinds: z.array(senderKindSchema).min(1).default(['alphanumeric', 'numeric', 'shortcode']) })
      .strict()
      .default({ allowedKinds: ['alphanumeric', 'numeric', 'shortcode'] }),
  })
  .strict();

export type CompliancePolicy = z.infer<typeof compliancePolicySchema>;
export type CompliancePolicyInput = z.input<typeof compliancePolicySchema>;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Shared by every caller, so frozen all the way down. */
export const DEFAULT_POLICY: CompliancePolicy = deepFreeze(compliancePolicySchema.parse({}));

/** Minutes since local midnight of an `HH:MM` that the schema has already checked. */
export function clockMinutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}
