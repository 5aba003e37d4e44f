import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { loadConfig, loadDotEnv } from '../../config.js';
import { Db, explainConnectFailure, maskDatabaseUrl } from '../../store/postgres/db.js';
import { migrate } from '../../store/postgres/migrations.js';
import { parseFlags } from '../flags.js';
import { printJson, printLines } from '../output.js';

const migrateFlags = z.object({ json: z.boolean().default(false) });

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Bring the PostgreSQL store (DATABASE_URL, DATABASE_SCHEMA) up to this version\'s schema; the service also does it when it starts.')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const flags = parseFlags(migrateFlags, raw);
      loadDotEnv();
      const config = loadConfig(process.env);
      if (!config.DATABASE_URL) {
        throw new AppError('CONFIG_INVALID', 'DATABASE_URL is not set: the embedded store needs no migrations.', {
          hint: 'Set DATABASE_URL (postgres://user:password@host:5432/db) to migrate a PostgreSQL store.',
        });
      }
      const db = new Db({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, poolSize: 1 });
      try {
        const result = await migrate(db).catch((error: unknown) => {
          throw explainConnectFailure(config.DATABASE_URL as string, error);
        });
        if (flags.json) {
          printJson(result);
          return;
        }
        const where = `${maskDatabaseUrl(config.DATABASE_URL)}, schema ${result.schema}`;
        printLines([
          result.applied.length === 0
            ? `Schema is up to date at version ${result.to} (${where}).`
            : `Migrated from version ${result.from} to ${result.to} (${where}): applied ${result.applied.join(', ')}.`,
        ]);
      } finally {
        await db.close();
      }
    });
}
