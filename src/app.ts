import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Clock } from './common/clock.js';
import { systemClock } from './common/clock.js';
import { AppError } from './common/errors.js';
import type { Logger } from './common/logger.js';
import type { Config } from './config.js';
import type { CompliancePolicy } from './messages/compliance/index.js';
import { compliancePolicySchema } from './messages/compliance/index.js';
import { createLogger } from './log.js';
import { LowdbStore } from './store/lowdb/lowdb-store.js';
import type { Store } from './store/port.js';

/** Everything a command or the service needs, wired once. */
export interface AppContext {
  config: Config;
  policy: CompliancePolicy;
  store: Store;
  logger: Logger;
  clock: Clock;
  newId: () => string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Open the store without its lock, refusing changes: for commands that only read. */
  readOnly?: boolean;
  logger?: Logger;
  clock?: Clock;
}

/**
 * The composition root: reads the validated config and picks the adapters. The only module that
 * knows which store (and, later, which gateways and CRM) is in use.
 */
export async function openApp(config: Config, options: OpenOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const store = await openStore(config, Boolean(options.readOnly));
  return {
    config,
    policy: policyFromConfig(config),
    store,
    logger,
    clock: options.clock ?? systemClock,
    newId: randomUUID,
    close: () => store.close(),
  };
}

/** The compliance policy from the environment; every rule has a variable, none is silently off. */
export function policyFromConfig(config: Config): CompliancePolicy {
  const [start, end] = config.QUIET_HOURS.split('-') as [string, string];
  return compliancePolicySchema.parse({
    quietHours: { start, end },
    quietHoursApplyTo: config.QUIET_HOURS_APPLY_TO === 'all' ? ['marketing', 'transactional'] : ['marketing'],
    frequencyCap: { max: config.FREQUENCY_CAP_MAX, days: config.FREQUENCY_CAP_DAYS },
    minorsAge: config.MINORS_AGE,
    blockUnknownAge: config.BLOCK_UNKNOWN_AGE,
    adLabel: { ru: config.AD_LABEL_RU, en: config.AD_LABEL_EN },
    optOutText: { ru: config.OPT_OUT_TEXT_RU, en: config.OPT_OUT_TEXT_EN },
  });
}

async function openStore(config: Config, readOnly: boolean): Promise<Store> {
  if (config.DATABASE_URL) {
    throw new AppError('UNSUPPORTED', 'DATABASE_URL is set, but this version has only the embedded store.', {
      hint: 'Unset DATABASE_URL to use the embedded store in DATA_DIR; the PostgreSQL store comes in a later release.',
    });
  }
  return LowdbStore.open({
    dataDir: path.resolve(config.DATA_DIR),
    maxBytes: config.STORE_MAX_MB * 1024 * 1024,
    readOnly,
  });
}
