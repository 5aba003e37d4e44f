import type pg from 'pg';
import { AppError } from '../common/errors.js';

/**
 * The tables and the function the cooperating instances share (`cluster_instances`, `cluster_rate`,
 * `cluster_take_slots`) are migration step 5 (src/store/postgres/migrations.ts), applied when the
 * store opens. Joining checks they are there, and says how to get them when they are not.
 */
export async function ensureClusterSchema(pool: pg.Pool): Promise<void> {
  const found = await pool.query<{ ready: boolean }>("SELECT to_regclass('cluster_rate') IS NOT NULL AND to_regprocedure('cluster_take_slots(text, integer, integer, integer, integer, integer)') IS NOT NULL AS ready");
  if (!found.rows[0]?.ready) {
    throw new AppError('CONFIG_INVALID', 'The database schema has no cluster tables yet: it is older than this sms-bridge.', {
      hint: 'Run: smsbridge migrate (the service also migrates when it starts).',
    });
  }
}
