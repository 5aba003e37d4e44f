import type { IdempotencyRecord, IdempotencyRepository, NamedRepository, RecordRepository } from '../port.js';
import type { Db } from './db.js';

/**
 * Records by id, of one kind, in the shared `records` table (kind + id, the record as JSON). A new
 * record repository is one line in PostgresStore: `new PgRecords<T>(db, 'kind')`.
 */
export class PgRecords<T extends { id: string }> implements RecordRepository<T> {
  constructor(
    protected readonly db: Db,
    protected readonly kind: string,
  ) {}

  async put(item: T): Promise<void> {
    this.db.writable();
    await this.db.query(
      'INSERT INTO records (kind, id, data) VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data',
      [this.kind, item.id, JSON.stringify(item)],
    );
  }

  async putIfAbsent(item: T): Promise<boolean> {
    this.db.writable();
    const result = await this.db.query(
      'INSERT INTO records (kind, id, data) VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO NOTHING RETURNING id',
      [this.kind, item.id, JSON.stringify(item)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<T | undefined> {
    const result = await this.db.query<{ data: T }>('SELECT data FROM records WHERE kind = $1 AND id = $2', [this.kind, id]);
    return result.rows[0]?.data;
  }

  async list(): Promise<T[]> {
    const result = await this.db.query<{ data: T }>('SELECT data FROM records WHERE kind = $1 ORDER BY id', [this.kind]);
    return result.rows.map((row) => row.data);
  }

  async delete(id: string): Promise<boolean> {
    this.db.writable();
    const result = await this.db.query('DELETE FROM records WHERE kind = $1 AND id = $2', [this.kind, id]);
    return (result.rowCount ?? 0) > 0;
  }
}

/** Idempotency records: one per Idempotency-Key; expired ones deleted by age (`at`, an indexed column). */
export class PgIdempotency extends PgRecords<IdempotencyRecord> implements IdempotencyRepository {
  async deleteBefore(at: string): Promise<number> {
    this.db.writable();
    const result = await this.db.query('DELETE FROM records WHERE kind = $1 AND at < $2', [this.kind, at]);
    return result.rowCount ?? 0;
  }
}

/** Named items of one kind in the shared `named_items` table; listed alphabetically (Cyrillic too), like every store. */
export class PgNamed<T extends { name: string }> implements NamedRepository<T> {
  constructor(
    private readonly db: Db,
    private readonly kind: string,
  ) {}

  async put(item: T): Promise<void> {
    this.db.writable();
    await this.db.query(
      'INSERT INTO named_items (kind, name, data) VALUES ($1, $2, $3) ON CONFLICT (kind, name) DO UPDATE SET data = excluded.data',
      [this.kind, item.name, JSON.stringify(item)],
    );
  }

  async get(name: string): Promise<T | undefined> {
    const result = await this.db.query<{ data: T }>('SELECT data FROM named_items WHERE kind = $1 AND name = $2', [this.kind, name]);
    return result.rows[0]?.data;
  }

  async list(): Promise<T[]> {
    const result = await this.db.query<{ data: T }>('SELECT data FROM named_items WHERE kind = $1', [this.kind]);
    return result.rows.map((row) => row.data).sort((a, b) => a.name.localeCompare(b.name));
  }

  async delete(name: string): Promise<boolean> {
    this.db.writable();
    const result = await this.db.query('DELETE FROM named_items WHERE kind = $1 AND name = $2', [this.kind, name]);
    return (result.rowCount ?? 0) > 0;
  }
}
