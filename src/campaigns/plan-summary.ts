import type { Encoding } from '../messages/encoding.js';
import type { Decision } from './plan.js';

export interface VariantTotals {
  recipients: number;
  segments: number;
  cost: number;
}

export interface PlanSummary {
  /** Contacts the audience matched (before exclusions). */
  audience: number;
  toSend: number;
  sendNow: number;
  deferred: { count: number; earliest: string | null; latest: string | null };
  excluded: Record<string, number>;
  excludedTotal: number;
  /** Eligible recipients kept unsent by the campaign's holdout (present when it has one). */
  heldOut?: number;
  /** Contacts whose zone is a guess (a multi-zone country without a city): timing holds in every candidate zone. */
  uncertainTimezone: number;
  segments: number;
  cost: number;
  currency: string;
  encodings: Record<Encoding, number>;
  variants: Record<string, VariantTotals>;
  samples: Array<{ phone: string; variant: string; text: string; encoding: Encoding; segments: number; sendAfter: string | null }>;
}

/** Folds decisions into a summary as they stream by; holds no decision but three samples. */
export class PlanSummarizer {
  private readonly summary: PlanSummary;

  constructor(currency: string, variantNames: readonly string[], private readonly sampleSize = 3, options: { holdout?: boolean } = {}) {
    this.summary = {
      audience: 0, toSend: 0, sendNow: 0, deferred: { count: 0, earliest: null, latest: null }, excluded: {},
      excludedTotal: 0, uncertainTimezone: 0, segments: 0, cost: 0, currency, encodings: { 'GSM-7': 0, 'UCS-2': 0 },
      variants: Object.fromEntries(variantNames.map((name) => [name, { recipients: 0, segments: 0, cost: 0 }])),
      samples: [],
      ...(options.holdout ? { heldOut: 0 } : {}),
    };
  }

  add(decision: Decision): void {
    const s = this.summary;
    s.audience += 1;
    if (decision.action === 'held_out') {
      s.heldOut = (s.heldOut ?? 0) + 1;
      return;
    }
    if (decision.action === 'excluded') {
      s.excluded[decision.reason] = (s.excluded[decision.reason] ?? 0) + 1;
      s.excludedTotal += 1;
      return;
    }
    s.toSend += 1;
    if (decision.sendAfter === null) s.sendNow += 1;
    else {
      s.deferred.count += 1;
      if (s.deferred.earliest === null || decision.sendAfter < s.deferred.earliest) s.deferred.earliest = decision.sendAfter;
      if (s.deferred.latest === null || decision.sendAfter > s.deferred.latest) s.deferred.latest = decision.sendAfter;
    }
    if (!decision.zoneCertain) s.uncertainTimezone += 1;
    s.segments += decision.segments;
    s.cost += decision.cost;
    s.encodings[decision.encoding] += 1;
    const variant = s.variants[decision.variant];
    if (variant) {
      variant.recipients += 1;
      variant.segments += decision.segments;
      variant.cost += decision.cost;
    }
    if (s.samples.length < this.sampleSize) {
      s.samples.push({ phone: decision.phone, variant: decision.variant, text: decision.text, encoding: decision.encoding, segments: decision.segments, sendAfter: decision.sendAfter });
    }
  }

  result(): PlanSummary {
    const s = structuredClone(this.summary);
    s.cost = Math.round(s.cost * 100) / 100;
    for (const v of Object.values(s.variants)) v.cost = Math.round(v.cost * 100) / 100;
    return s;
  }
}
