import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/common/ids.js';

describe('timeOrderedId', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 3, 19, 0, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts later ids after earlier ones (byte order, as the store compares ids), and never repeats', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(start + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 10; i < ids.length; i += 1) expect((ids[i - 10] as string) < (ids[i] as string)).toBe(true);
    // The random part differs between ids of the same millisecond.
    expect(new Set(ids.slice(0, 10).map((id) => id.slice(14))).size).toBe(10);
  });
});
