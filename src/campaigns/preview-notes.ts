import { analyzeText, countSegments } from '../messages/encoding.js';
import type { PriceTable } from '../messages/pricing.js';
import { gsmSafeText } from '../messages/transliterate.js';
import { pricesConfigured } from './budget.js';
import type { PlanSummary } from './plan-summary.js';
import type { Variant } from './variants.js';
import { findLinks } from '../clicks/short-links.js';

/** A few characters (emoji, «», —, ’) force UCS-2 on a text that GSM-7 could carry in fewer segments. */
export interface EncodingWarning {
  variant: string;
  nonGsmCharacters: string[];
  /** Segments of the sample message as written, and with the GSM-safe text. */
  segments: number;
  gsmSafeSegments: number;
  /** The variant's text with those characters replaced (as `message inspect` offers it). */
  gsmSafeText: string;
}

export interface PreviewNotes {
  /** False when SMS_PRICES is unset: every cost is 0 and the preview says prices are not configured. */
  pricesConfigured: boolean;
  encodingWarnings: EncodingWarning[];
  /** Set when the text has links that will go out untracked although the campaign asks for tracking. */
  linkNote?: string;
}

/**
 * What the preview adds to the plan summary: whether prices are configured, and for each variant
 * whose sample went out in UCS-2 only because of characters that have GSM-7 stand-ins, the
 * GSM-safe text and what it saves (`message inspect`'s substitution, without transliteration).
 */
export function previewNotes(summary: PlanSummary, variants: readonly Variant[], prices: PriceTable, links: { trackLinks?: boolean; shortLinks?: boolean } = {}): PreviewNotes {
  const encodingWarnings: EncodingWarning[] = [];
  for (const variant of variants) {
    const sample = summary.samples.find((s) => s.variant === variant.name)?.text ?? variant.text;
    const info = analyzeText(sample);
    if (info.encoding !== 'UCS-2') continue;
    const safeSample = countSegments(gsmSafeText(sample).text);
    if (safeSample.encoding !== 'GSM-7' || safeSample.segments >= info.segments) continue;
    encodingWarnings.push({
      variant: variant.name, nonGsmCharacters: info.nonGsmCharacters, segments: info.segments, gsmSafeSegments: safeSample.segments, gsmSafeText: gsmSafeText(variant.text).text,
    });
  }
  const untracked = links.trackLinks !== false && !links.shortLinks && variants.some((v) => findLinks(v.text).length > 0);
  return {
    pricesConfigured: pricesConfigured(prices), encodingWarnings,
    ...(untracked ? { linkNote: 'The links go out as written, untracked: set SHORT_LINK_BASE (or PUBLIC_URL) to send them as tracked short links.' } : {}),
  };
}

/** The notes as preview lines for the CLI. */
export function formatPreviewNotes(notes: PreviewNotes): string[] {
  const lines: string[] = [];
  if (!notes.pricesConfigured) lines.push('Prices are not configured (SMS_PRICES is unset): every cost above is 0.');
  if (notes.linkNote) lines.push(notes.linkNote);
  for (const w of notes.encodingWarnings) {
    lines.push(
      `Warning [${w.variant}]: ${w.nonGsmCharacters.map((c) => JSON.stringify(c)).join(' ')} force UCS-2: ${w.segments} segment(s) per message instead of ${w.gsmSafeSegments}, so the cost is ${(w.segments / w.gsmSafeSegments).toFixed(1)}×.`,
      `  GSM-safe text: ${w.gsmSafeText}`,
    );
  }
  return lines;
}
