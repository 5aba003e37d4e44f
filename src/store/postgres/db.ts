import pg from 'pg';
import { AppError } from '../../common/errors.js';
import { stagingDone } from './copy-in.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** A PostgreSQL schema name the store may use: a plain identifier, so it needs no quoting anywhere. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL with its password replaced by `***`, for `doctor`, `describe()` and logs. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

export interface DbOptions {
  url: string;
  schema: string;
  readOnly?: boolean;
  /** Connections kept open (default 10). */
  poolSize?: number;
}

/**
 * The connection pool of one store, with the schema set on every connection (search_path), a
 * transaction helper and a guard that refuses changes on a read-only store with a clear error.
 */
export class Db {
  readonly pool: pg.Pool;
  private closed = false;
  /** A lazy commit (see tx) happened since the last flush. */
  private unflushed = false;
  private flushing: Promise<void> | undefined;

  constructor(readonly options: DbOptions) {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new AppError('CONFIG_INVALID', `DATABASE_SCHEMA "${options.schema}" is not a plain schema name.`, { hint: 'Use lower-case letters, digits and underscores, starting with a letter, such as smsbridge.' });
    }
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      options: `-c search_path=${options.schema}`,
      application_name: 'sms-bridge',
    });
    // An idle connection the server dropped must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    this.checkOpen();
    return this.pool.query<R>(text, values);
  }

  /**
   * Runs `work` in one transaction on one connection; rolls back if it throws.
   *
   * `lazyCommit` (bulk writes: an import's batches, a store copy) commits without waiting for the
   * server to write the commit to disk (synchronous_commit off for this transaction alone): the
   * change is applied and seen by every reader at once, and durable at the next flush() (or at any
   * later durable commit by anyone: the server's log is written in order). A crash of this process
   * loses nothing; a crash of the database server may lose the last few hundred milliseconds of such
   * commits, which the import had not reported yet (it flushes before it does) and which running
   * it again writes again. It saves a disk flush per batch, and the wait for it.
   */
  async tx<T>(work: (client: pg.PoolClient) => Promise<T>, options: { lazyCommit?: boolean } = {}): Promise<T> {
    this.checkOpen();
    const client = await this.pool.connect();
    let committed = false;
    try {
      await client.query(options.lazyCommit ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      committed = true;
      // Marked once committed: a flush that runs while this transaction is still open must not count it as flushed.
      if (options.lazyCommit) this.unflushed = true;
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      stagingDone(client, committed);
      client.release();
    }
  }

  /**
   * Resolves once every transaction committed so far is durable. After lazy commits, one durable
   * commit (it takes a transaction id, so it writes a commit record) flushes the server's log up to
   * it, and with it every commit before.
   */
  async flush(): Promise<void> {
    // A flush already under way may have started before the latest lazy commit: wait, then look again.
    if (this.flushing) await this.flushing.catch(() => undefined);
    if (!this.unflushed || this.closed) return;
    this.unflushed = false;
    const flushing = this.pool.query('SELECT txid_current()').then(() => undefined);
    this.flushing = flushing;
    try {
      await flushing;
    } catch (error) {
      this.unflushed = true;
      throw error;
    } finally {
      if (this.flushing === flushing) this.flushing = undefined;
    }
  }

  /** Throws unless the store may change data now. */
  writable(): void {
    this.checkOpen();
    if (this.options.readOnly) {
      throw new AppError('STORE_LOCKED', `The PostgreSQL store (schema ${this.options.schema}) is open read-only.`, {
        hint: 'This command only reads; run the change through the running service (REST API) or a command that changes data.',
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private checkOpen(): void {
    if (this.closed) throw new AppError('INTERNAL', 'The store is closed.');
  }
}

/** The PostgreSQL error code of a failed query (23505: unique violation), if it is one. */
export function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', '28P01', '28000', '3D000']);

/** The error to show for a failure while connecting: said plainly when the server cannot be reached, else as it was. */
export function explainConnectFailure(url: string, error: unknown): unknown {
  return CONNECTION_FAILURES.has(pgCode(error) ?? '') ? connectionError(url, error) : error;
}

/** A failed connection, said plainly: where it tried and what to check. */
export function connectionError(url: string, error: unknown): AppError {
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError('CONFIG_INVALID', `Cannot connect to PostgreSQL at ${maskDatabaseUrl(url)}: ${reason}.`, {
    hint: 'Check that the server runs and DATABASE_URL names the right host, port, database and user (postgres://user:password@host:5432/db); unset DATABASE_URL to use the embedded store.',
    retryable: true,
    cause: error,
  });
}
