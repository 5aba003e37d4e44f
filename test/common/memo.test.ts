import { describe, expect, it } from 'vitest';
import { memoByString } from '../../src/common/memo.js';

describe('memoByString', () => {
  it('computes each string once while under its bound, then computes afresh, always with the same answers', () => {
    const calls: string[] = [];
    const length = memoByString((key) => {
      calls.push(key);
      return { length: key.length };
    }, 2);
    expect([length('a'), length('bb'), length('a'), length('bb')].map((r) => r.length)).toEqual([1, 2, 1, 2]);
    expect(calls).toEqual(['a', 'bb']);
    // Full: a third string is computed every time, the first two still come from memory.
    expect([length('ccc'), length('ccc'), length('a')].map((r) => r.length)).toEqual([3, 3, 1]);
    expect(calls).toEqual(['a', 'bb', 'ccc', 'ccc']);
  });

  it('shares frozen results, so no caller can change what another gets', () => {
    const parse = memoByString((key) => ({ ok: true, value: key }), 10);
    expect(Object.isFrozen(parse('x'))).toBe(true);
    expect(parse('x')).toBe(parse('x'));
  });
});
