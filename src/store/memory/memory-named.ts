import type { NamedRepository } from '../port.js';

/** Named items (segments, templates) in a map, copied on the way in and out. */
export class MemoryNamed<T extends { name: string }> implements NamedRepository<T> {
  private readonly byName = new Map<string, T>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(items: Iterable<T>): void {
    for (const item of items) this.byName.set(item.name, item);
  }

  all(): T[] {
    return [...this.byName.values()];
  }

  async put(item: T): Promise<void> {
    this.beforeChange();
    this.byName.set(item.name, structuredClone(item));
    this.afterChange();
  }

  async get(name: string): Promise<T | undefined> {
    const item = this.byName.get(name);
    return item && structuredClone(item);
  }

  async list(): Promise<T[]> {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name)).map((item) => structuredClone(item));
  }

  async delete(name: string): Promise<boolean> {
    if (!this.byName.has(name)) return false;
    this.beforeChange();
    this.byName.delete(name);
    this.afterChange();
    return true;
  }
}
