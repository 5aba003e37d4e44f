import pg from 'pg';
import type { Logger } from '../common/logger.js';

/**
 * Cluster leadership for the cron jobs (scheduled and recurring campaigns, birthdays, CRM sync), so
 * that each tick runs once across the instances: the leader holds a session advisory lock on its own
 * connection. The others try for it every `retryMs`; when the leader dies its connection closes and
 * the server releases the lock, so another instance takes over within one retry. A leader whose
 * connection breaks stops being leader at once. The lock key names the schema, so instances of
 * different schemas in one database do not elect one leader between them.
 */
export interface Leader {
  isLeader(): boolean;
  /** Tries for the lock at once and then every `retryMs`. */
  start(): Promise<void>;
  /** Releases the lock (if held) and closes the connection. */
  stop(): Promise<void>;
}

export interface LeaderOptions {
  connectionString: string;
  /** The schema to name in the lock key (the connection's search_path is set to it). */
  schema?: string;
  logger: Logger;
  retryMs?: number;
}

export function createLeader(options: LeaderOptions): Leader {
  const retryMs = options.retryMs ?? 5000;
  let client: pg.Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<pg.Client> => {
    const fresh = new pg.Client({ connectionString: options.connectionString, ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}) });
    fresh.on('error', (error) => {
      if (leader) options.logger.warn({ error }, 'lost the leader connection; cron jobs pause here until an instance holds the lock again');
      leader = false;
      if (client === fresh) client = undefined;
    });
    await fresh.connect();
    return fresh;
  };

  const attempt = async (): Promise<void> => {
    if (stopped) return;
    if (leader && client) {
      // Still holding it while the session lives; a failed ping ends the session (and the lead).
      await client.query('SELECT 1');
      return;
    }
    client ??= await connect();
    const result = await client.query<{ held: boolean }>("SELECT pg_try_advisory_lock(hashtext('smsbridge-leader:' || current_schema())) AS held");
    if (result.rows[0]?.held && !stopped) {
      leader = true;
      options.logger.info({}, 'this instance leads the cluster: it runs the scheduled jobs');
    }
  };

  const tryLater = (): void => {
    timer = setTimeout(() => {
      attempt()
        .catch((error: unknown) => {
          if (leader) options.logger.warn({ error }, 'lost the leader connection; cron jobs pause here until an instance holds the lock again');
          else options.logger.warn({ error }, 'could not try for cluster leadership; trying again');
          leader = false;
          void client?.end().catch(() => undefined);
          client = undefined;
        })
        .finally(() => {
          if (!stopped) tryLater();
        });
    }, retryMs);
    timer.unref();
  };

  return {
    isLeader: () => leader,
    start: async () => {
      await attempt().catch((error: unknown) => options.logger.warn({ error }, 'could not try for cluster leadership; trying again'));
      tryLater();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const held = client;
      client = undefined;
      if (!held) return;
      if (leader) await held.query("SELECT pg_advisory_unlock(hashtext('smsbridge-leader:' || current_schema()))").catch(() => undefined);
      leader = false;
      await held.end().catch(() => undefined);
    },
  };
}
