import type { IdempotencyRecord, IdempotencyRepository, NamedRepository, RecordRepository } from '../port.js';

/**
 * Small collections keyed by one field (segments and templates by name; campaigns, automations and
 * the like by id), copied on the way in and out so a caller can never change the store by accident.
 */
class MemoryKeyed<T> {
  private readonly byKey = new Map<string, T>();

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly compare: (a: string, b: string) => number,
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(items: Iterable<T>): void {
    for (const item of items) this.byKey.set(this.keyOf(item), item);
  }

  all(): T[] {
    return [...this.byKey.values()];
  }

  async put(item: T): Promise<void> {
    this.beforeChange();
    this.byKey.set(this.keyOf(item), structuredClone(item));
    this.afterChange();
  }

  async putIfAbsent(item: T): Promise<boolean> {
    if (this.byKey.has(this.keyOf(item))) return false;
    await this.put(item);
    return true;
  }

  async get(key: string): Promise<T | undefined> {
    const item = this.byKey.get(key);
    return item && structuredClone(item);
  }

  async list(): Promise<T[]> {
    return [...this.byKey.values()].sort((a, b) => this.compare(this.keyOf(a), this.keyOf(b))).map((item) => structuredClone(item));
  }

  /** Deletes every item the predicate picks, with one change notification; returns how many. */
  protected deleteWhere(pick: (item: T) => boolean): number {
    const keys = [...this.byKey].filter(([, item]) => pick(item)).map(([key]) => key);
    if (keys.length === 0) return 0;
    this.beforeChange();
    for (const key of keys) this.byKey.delete(key);
    this.afterChange();
    return keys.length;
  }

  async delete(key: string): Promise<boolean> {
    if (!this.byKey.has(key)) return false;
    this.beforeChange();
    this.byKey.delete(key);
    this.afterChange();
    return true;
  }
}

/** Named items, listed alphabetically (Cyrillic too). */
export class MemoryNamed<T extends { name: string }> extends MemoryKeyed<T> implements NamedRepository<T> {
  constructor(beforeChange: () => void, afterChange: () => void) {
    super((item) => item.name, (a, b) => a.localeCompare(b), beforeChange, afterChange);
  }
}

/** Records by id, listed oldest id first. */
export class MemoryRecords<T extends { id: string }> extends MemoryKeyed<T> implements RecordRepository<T> {
  constructor(beforeChange: () => void, afterChange: () => void) {
    super((item) => item.id, (a, b) => (a < b ? -1 : a > b ? 1 : 0), beforeChange, afterChange);
  }
}

/** Idempotency records by key; expired ones are deleted by age. */
export class MemoryIdempotency extends MemoryRecords<IdempotencyRecord> implements IdempotencyRepository {
  async deleteBefore(at: string): Promise<number> {
    return this.deleteWhere((record) => record.at < at);
  }
}
