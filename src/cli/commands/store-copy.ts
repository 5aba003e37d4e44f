import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { loadConfig, loadDotEnv } from '../../config.js';
import { acquireDataDirLock } from '../../store/lowdb/data-dir-lock.js';
import { LowdbStore } from '../../store/lowdb/lowdb-store.js';
import { copyStore } from '../../store/postgres/copy-store.js';
import { SCHEMA_NAME, maskDatabaseUrl } from '../../store/postgres/db.js';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { parseFlags } from '../flags.js';
import { printJson, printLines, progressBar, table } from '../output.js';

const copyFlags = z.object({
  from: z.string().min(1, 'give the data dir to copy: --from <dataDir>'),
  to: z.string().regex(/^postgres(ql)?:\/\//, '--to must be a postgres:// or postgresql:// connection URL').optional(),
  schema: z.string().regex(SCHEMA_NAME, '--schema must be a plain schema name: lower-case letters, digits and underscores').optional(),
  json: z.boolean().default(false),
});

export function registerStoreCopyCommand(store: Command): void {
  store
    .command('copy')
    .description('Copy an embedded data dir into the PostgreSQL store, verified by counts per collection; run it again to continue an interrupted copy (nothing is doubled).')
    .requiredOption('--from <dataDir>', 'the embedded store\'s data dir (stop the service that uses it first)')
    .option('--to <url>', 'PostgreSQL connection URL (default: DATABASE_URL)')
    .option('--schema <name>', 'schema to copy into (default: DATABASE_SCHEMA)')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const flags = parseFlags(copyFlags, raw);
      loadDotEnv();
      const config = loadConfig(process.env);
      const url = flags.to ?? config.DATABASE_URL;
      if (!url) throw new AppError('VALIDATION_FAILED', 'Where to? Give --to <postgres://...> or set DATABASE_URL.');
      const schema = flags.schema ?? config.DATABASE_SCHEMA;
      const dataDir = path.resolve(flags.from);
      if (!fs.existsSync(path.join(dataDir, 'contacts.json')) && !fs.existsSync(path.join(dataDir, 'outbox'))) {
        throw new AppError('NOT_FOUND', `No embedded store in ${dataDir}.`, { hint: 'Give the DATA_DIR of the service to copy: --from <dataDir>.' });
      }
      // The source must not change while it is copied: hold its lock, so a running service refuses to start and vice versa.
      const release = await acquireDataDirLock(dataDir);
      try {
        const source = await LowdbStore.open({ dataDir, maxBytes: Number.MAX_SAFE_INTEGER, readOnly: true });
        const target = await PostgresStore.open({ url, schema });
        try {
          const bar = flags.json ? undefined : progressBar('copy');
          const counts = await copyStore(source.exportAll(), target, (collection, done, total) => bar?.update(done, total, collection));
          bar?.end();
          const mismatched = counts.filter((c) => c.source !== c.target);
          if (flags.json) printJson({ from: dataDir, to: maskDatabaseUrl(url), schema, ok: mismatched.length === 0, counts });
          else {
            printLines([
              `Copied ${dataDir} into ${maskDatabaseUrl(url)} (schema ${schema}):`,
              ...table(['collection', 'source', 'target', ''], counts.map((c) => [c.collection, String(c.source), String(c.target), c.source === c.target ? 'ok' : 'MISMATCH'])),
              mismatched.length === 0
                ? `Every count matches. Point the service at it: DATABASE_URL=${maskDatabaseUrl(url)} DATABASE_SCHEMA=${schema}.`
                : `Counts differ for ${mismatched.map((c) => c.collection).join(', ')}: the schema held other data before, or the source has duplicates. Copy into an empty schema (--schema) to compare.`,
            ]);
          }
          if (mismatched.length > 0) process.exitCode = 1;
        } finally {
          await target.close();
          await source.close();
        }
      } finally {
        release();
      }
    });
}
