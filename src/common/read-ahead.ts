/**
 * The same items, with the next one always being read while the caller works on the current one: a
 * scan's next query (or a page's look-ups) runs in the database while this process handles the page it has.
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
