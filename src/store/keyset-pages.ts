/**
 * Every item of a repository in pages, in the order `list` gives (by id): each page asks for the items
 * after the last id of the one before, so only one page is held at a time.
 */
export async function* keysetPages<T extends { id: string }>(
  list: (options: { limit: number; afterId?: string }) => Promise<T[]>,
  limit = 1000,
): AsyncIterable<T[]> {
  let afterId: string | undefined;
  for (;;) {
    const page = await list(afterId === undefined ? { limit } : { limit, afterId });
    if (page.length === 0) return;
    yield page;
    afterId = page[page.length - 1]?.id;
  }
}
