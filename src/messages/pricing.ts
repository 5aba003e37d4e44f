import { z } from 'zod';

/**
 * Price per SMS segment, per gateway and destination country (ISO code), each with a `default`.
 * `{"default": {"default": 0.05}, "smsru": {"RU": 3.2, "default": 6}}`.
 */
export const priceTableSchema = z.record(
  z.string().min(1),
  z.record(z.string().regex(/^([A-Z]{2}|default)$/, 'use a two-letter country code or "default"'), z.number().nonnegative()),
);
export type PriceTable = z.infer<typeof priceTableSchema>;

/** The most specific price known: gateway+country, gateway default, any-gateway country, default, else 0. */
export function priceFor(table: PriceTable, gateway: string, country: string | undefined): number {
  const own = table[gateway];
  const fallback = table.default;
  return (
    (country !== undefined ? own?.[country] : undefined) ??
    own?.default ??
    (country !== undefined ? fallback?.[country] : undefined) ??
    fallback?.default ??
    0
  );
}
