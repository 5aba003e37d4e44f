import { z } from 'zod';
import { AppError } from '../common/errors.js';

export const variantSchema = z.object({
  name: z.string().trim().min(1).max(32),
  text: z.string().min(1),
  /** Relative share of the audience; weights need not add up to 100. */
  weight: z.number().positive().default(1),
});
export type Variant = z.infer<typeof variantSchema>;

/** FNV-1a, 32 bits: fast, stable across runs and machines, and well spread for short keys. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A/B assignment: the same contact always gets the same variant of the same campaign (a re-plan,
 * a restart or a preview agree), independently of scan order, in proportion to the weights.
 */
export function createVariantPicker(campaignId: string, variants: readonly Variant[]): (contactId: string) => Variant {
  if (variants.length === 0) throw new AppError('VALIDATION_FAILED', 'A campaign needs at least one message text.');
  const names = new Set(variants.map((v) => v.name));
  if (names.size !== variants.length) throw new AppError('VALIDATION_FAILED', 'Variant names must be distinct (A, B, ...).');
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  const bounds: number[] = [];
  let running = 0;
  for (const variant of variants) bounds.push((running += variant.weight / total));
  const only = variants.length === 1 ? variants[0] : undefined;
  return (contactId) => {
    if (only) return only;
    const point = fnv1a(`${campaignId}:${contactId}`) / 0x1_0000_0000;
    const index = bounds.findIndex((bound) => point < bound);
    return variants[index === -1 ? variants.length - 1 : index] as Variant;
  };
}

/** Reads `--variant "A=text"` or `--variant "A:70=text"` (name, optional weight, text). */
export function parseVariantOption(option: string): Variant {
  const match = /^([^=:]{1,32})(?::(\d+(?:\.\d+)?))?=([\s\S]+)$/.exec(option);
  if (!match) {
    throw new AppError('VALIDATION_FAILED', `Cannot read the variant "${option.slice(0, 40)}".`, {
      hint: 'Write it as NAME=text or NAME:WEIGHT=text, for example --variant "A=Скидка 20%" --variant "B:30=Скидка 15%".',
    });
  }
  return { name: (match[1] as string).trim(), weight: match[2] ? Number(match[2]) : 1, text: match[3] as string };
}
