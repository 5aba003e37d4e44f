import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/common/read-ahead.js';

describe('readAhead', () => {
  it('gives the items in order, having asked for the next before the caller handles the current one', async () => {
    const asked: number[] = [];
    async function* source(): AsyncGenerator<number> {
      for (let i = 1; i <= 3; i += 1) {
        asked.push(i);
        yield i;
      }
    }
    const seen: Array<[number, number[]]> = [];
    for await (const item of readAhead(source())) seen.push([item, [...asked]]);
    expect(seen).toEqual([[1, [1, 2]], [2, [1, 2, 3]], [3, [1, 2, 3]]]);
  });

  it('closes the source when the caller stops early, and passes a failure on', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<number> {
      try {
        yield 1;
        yield 2;
        yield 3;
      } finally {
        closed = true;
      }
    }
    for await (const item of readAhead(source())) if (item === 1) break;
    expect(closed).toBe(true);

    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('page 2 could not be read');
    }
    const got: number[] = [];
    await expect((async () => {
      for await (const item of readAhead(failing())) got.push(item);
    })()).rejects.toThrow('page 2 could not be read');
    expect(got).toEqual([1]);
  });
});
