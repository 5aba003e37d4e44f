/**
 * Seeded randomness for the simulator. Each message gets its own stream, seeded from a hash of the
 * configured seed and the message id, so outcomes do not depend on send order or concurrency.
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/**
 * cyrb53: a fast 53-bit string hash with good avalanche, returned as two 32-bit halves. 53 bits keep
 * provider message ids collision-free at campaign scale, where a 32-bit hash would collide around 80k.
 */
export function hash53(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [(h2 & 0x1fffff) >>> 0, h1 >>> 0];
}

/** The hash as 14 hex digits, for ids. */
export function hashHex(text: string): string {
  const [high, low] = hash53(text);
  return high.toString(16).padStart(6, '0') + low.toString(16).padStart(8, '0');
}

/** mulberry32: tiny, fast, and good enough for simulated carrier behaviour (not for anything secret). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('Random.pick needs at least one item');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}

/** The stream for one key (a message id) under one seed. */
export function randomFor(seed: string, key: string): Random {
  return createRandom(hash53(`${seed}\u0000${key}`)[1]);
}
