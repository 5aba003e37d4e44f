/** Splits a list into slices of at most `size` items (one statement each). */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** One item per id, the last one given winning (as successive puts would). */
export function lastById<T extends { id: string }>(items: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    byId.delete(item.id);
    byId.set(item.id, item);
  }
  return [...byId.values()];
}

/**
 * The same items, with the next one always being read while the caller works on the current one: a
 * scan's next query runs in the database while this process handles the page it has.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pull = (): Promise<IteratorResult<T>> => {
    const next = iterator.next();
    // Awaited below; a caller who stops early must not leave its failure unhandled.
    next.catch(() => undefined);
    return next;
  };
  let next = pull();
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = pull();
      yield current.value;
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}
