/** A binary min-heap of (due time, key), for finding the messages that are due without scanning all. */
export class DueHeap {
  private readonly items: Array<{ due: string; key: string }> = [];

  get size(): number {
    return this.items.length;
  }

  push(due: string, key: string): void {
    const items = this.items;
    items.push({ due, key });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as { due: string }).due <= due) break;
      [items[i], items[parent]] = [items[parent] as { due: string; key: string }, items[i] as { due: string; key: string }];
      i = parent;
    }
  }

  peek(): { due: string; key: string } | undefined {
    return this.items[0];
  }

  pop(): { due: string; key: string } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && (items[left] as { due: string }).due < (items[smallest] as { due: string }).due) smallest = left;
        if (right < items.length && (items[right] as { due: string }).due < (items[smallest] as { due: string }).due) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as { due: string; key: string }, items[i] as { due: string; key: string }];
        i = smallest;
      }
    }
    return top;
  }
}
