import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../common/clock.js';
import { loadConfig, loadDotEnv } from '../../config.js';
import { acquireDataDirLock } from '../../store/lowdb/data-dir-lock.js';
import type { DamagedFile } from '../../store/lowdb/recover.js';
import { findDamage, recoverDamage } from '../../store/lowdb/recover.js';
import { printJson, printLines } from '../output.js';
import { registerStoreCopyCommand } from './store-copy.js';

function describe(found: DamagedFile, done: boolean): string[] {
  const lines = [`${found.file}: damaged at byte ${found.damageAt.join(', ')}; ${found.kept} readable records ${done ? 'kept' : 'would be kept'}`];
  if (found.unknownRows.length > 0) {
    lines.push(`  ${found.unknownRows.length} messages the damaged records may have claimed or sent ${done ? 'are now' : 'would become'} unknown (never re-sent automatically)`);
  }
  if (found.lostEvents) {
    lines.push(`  ${found.lostEvents} receipts or replies the gateways were told we had cannot be read: their messages keep their last status; check the copy for opt-outs (STOP) to record by hand`);
  }
  if (done) lines.push(`  the damaged file was copied to ${path.basename(found.file)}.damaged-<time> beside it`);
  return lines;
}

export function registerStoreCommands(program: Command): void {
  const store = program.command('store').description('Inspect and repair the embedded store in DATA_DIR; copy it into PostgreSQL.');
  registerStoreCopyCommand(store);
  store
    .command('recover')
    .description('Find damaged store files; with --yes, keep a copy of each, keep every readable record, and mark messages that might have been sent unknown (nothing is re-sent).')
    .option('--yes', 'repair (without it, only shows what would be done)')
    .option('--json', 'print JSON')
    .action(async (flags: { yes?: boolean; json?: boolean }) => {
      loadDotEnv();
      const dataDir = path.resolve(loadConfig(process.env).DATA_DIR);
      let found: DamagedFile[];
      if (flags.yes) {
        // Repairs only while no other process has the data dir open.
        const release = await acquireDataDirLock(dataDir);
        try {
          found = await recoverDamage(dataDir, systemClock.now());
        } finally {
          release();
        }
      } else {
        found = await findDamage(dataDir);
      }
      if (flags.json) {
        printJson({ dataDir, repaired: Boolean(flags.yes) && found.length > 0, damaged: found });
        return;
      }
      if (found.length === 0) {
        printLines([`No damaged files in ${dataDir}.`]);
        return;
      }
      printLines([...found.flatMap((f) => describe(f, Boolean(flags.yes))), ...(flags.yes ? [] : ['Nothing was changed. Stop the service, then run again with --yes to repair.'])]);
      if (!flags.yes) process.exitCode = 1;
    });
}
