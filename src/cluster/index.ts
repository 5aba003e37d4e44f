import pg from 'pg';
import type { Logger } from '../common/logger.js';
import type { SmsGateway } from '../delivery/gateway.js';
import { ensureClusterSchema } from './cluster-schema.js';
import { gatedGateway } from './gated-gateway.js';
import { createLeader } from './leader.js';
import type { Leader } from './leader.js';
import { joinCluster } from './membership.js';
import type { Membership } from './membership.js';
import { createPgRateGate } from './rate-gate.js';
import type { RateGate } from './rate-gate.js';

/**
 * Several instances on one PostgreSQL database (the design, in one place):
 *
 * - Membership: each sending instance beats every 2 s into `cluster_instances`; live = beaten within
 *   the last 6 s (server clock). `rateShare` = half as much again as configured rate ÷ live instances,
 *   read by the dispatcher at every pacing decision: together the instances ask for more than the cap,
 *   so the cap binds and none of it goes unused while one instance runs short of messages.
 * - Hard cap: every send first takes one slot per segment from `cluster_take_slots`, which hands out
 *   slots spaced window ÷ limit apart (window: 1 s plus a margin for the way to the gateway) across the
 *   cluster, a little ahead of time, and the send leaves at its slot. No one-second window anywhere can
 *   carry more than the limit, and it holds through the transients the shares cannot see (a newcomer
 *   the others have not counted yet, a dead instance still counted); slots are in the server's time,
 *   and a send that would leave too late after its slot asks for another.
 * - Leadership: cron jobs run only on the instance holding a session advisory lock (leader.ts).
 * - Leases: every instance's engine expires leases on its own beat, so a dead instance's `sending`
 *   rows become `unknown` (never re-sent blindly) once their lease runs out, found by the survivors.
 */
export interface Cluster {
  membership: Membership;
  leader: Leader;
  gate: RateGate;
  rateShare(gateway: string, configuredPerSecond: number): number;
  /** The gateway behind the cluster-wide rate cap. */
  gated(gateway: SmsGateway): SmsGateway;
  close(): Promise<void>;
}

export interface ClusterOptions {
  connectionString: string;
  /** The schema the store lives in (search_path); the cluster tables sit beside its tables. */
  schema?: string;
  logger: Logger;
  /** The rate gate's slot window (default 1,015 ms). */
  rateWindowMs?: number;
  beatMs?: number;
  leaderRetryMs?: number;
}

export async function openCluster(options: ClusterOptions): Promise<Cluster> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 4,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  pool.on('error', (error) => options.logger.warn({ error }, 'an idle cluster connection failed; the pool opens another'));
  try {
    await ensureClusterSchema(pool);
    const membership = await joinCluster(pool, { logger: options.logger, ...(options.beatMs ? { beatMs: options.beatMs } : {}) });
    const gate = createPgRateGate(pool, { logger: options.logger, ...(options.rateWindowMs ? { windowMs: options.rateWindowMs } : {}) });
    const leader = createLeader({
      connectionString: options.connectionString, logger: options.logger,
      ...(options.schema ? { schema: options.schema } : {}), ...(options.leaderRetryMs ? { retryMs: options.leaderRetryMs } : {}),
    });
    return {
      membership,
      leader,
      gate,
      rateShare: (gateway, configured) => membership.rateShare(gateway, configured),
      gated: (gateway) => gatedGateway(gateway, gate),
      close: async () => {
        gate.close();
        await leader.stop();
        await membership.leave().catch((error: unknown) => options.logger.warn({ error }, 'could not remove this instance from the cluster table; it expires on its own'));
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
