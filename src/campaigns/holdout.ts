import { AppError } from '../common/errors.js';
import { fnv1a } from './variants.js';

export const HOLDOUT_MAX_PERCENT = 50;

/**
 * The holdout: a random share of the eligible audience that is never sent, so the report can compare
 * those sent with those not. Chosen like A/B variants, by a hash of the campaign and the contact, so
 * a preview, a start, a restart and every run of a recurring campaign (which share the seed) agree;
 * salted differently from the variants, so the holdout is not drawn from one variant.
 */
export function createHoldoutPicker(seed: string, percent: number): (contactId: string) => boolean {
  if (!(percent > 0)) return () => false;
  const threshold = percent / 100;
  return (contactId) => mix32(fnv1a(`holdout:${seed}:${contactId}`)) / 0x1_0000_0000 < threshold;
}

/**
 * MurmurHash3's finaliser: FNV-1a alone leaves the top bits of near-identical keys (c-0000001,
 * c-0000002, ...) close together, so a small share taken from the top would pick almost nobody.
 */
function mix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Validates a holdout share from the CLI or REST: more than 0, at most 50 percent. */
export function checkHoldoutPercent(percent: number): number {
  if (!Number.isFinite(percent) || percent <= 0 || percent > HOLDOUT_MAX_PERCENT) {
    throw new AppError('VALIDATION_FAILED', `A holdout is a percentage of the audience above 0 and at most ${HOLDOUT_MAX_PERCENT}; got ${percent}.`, {
      hint: 'For example --holdout 5 keeps a random 5% of the eligible audience unsent, to measure lift.',
    });
  }
  return percent;
}
