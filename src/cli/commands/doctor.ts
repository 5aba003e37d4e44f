import type { Command } from 'commander';
import { openApp } from '../../app.js';
import { isAppError } from '../../common/errors.js';
import { loadConfig, loadDotEnv } from '../../config.js';
import { printJson, printLines } from '../output.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs each check and keeps going after a failure, so one run lists every problem. */
async function runChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({ name: 'node', ok: major >= 20, detail: `Node ${process.versions.node}${major >= 20 ? '' : ' (needs 20 or newer)'}` });
  loadDotEnv();
  let config;
  try {
    config = loadConfig(process.env);
    checks.push({ name: 'config', ok: true, detail: `DATA_DIR=${config.DATA_DIR}, DEFAULT_COUNTRY=${config.DEFAULT_COUNTRY}, DEFAULT_TIMEZONE=${config.DEFAULT_TIMEZONE}` });
  } catch (error) {
    checks.push({ name: 'config', ok: false, detail: isAppError(error) ? error.message : String(error) });
    return checks;
  }
  try {
    const app = await openApp(config, { readOnly: true });
    try {
      const where = app.store.describe();
      const contacts = await app.store.contacts.count();
      checks.push({ name: 'store', ok: true, detail: `${where.kind} at ${where.location}: ${contacts} contacts` });
    } finally {
      await app.close();
    }
  } catch (error) {
    checks.push({ name: 'store', ok: false, detail: isAppError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : String(error) });
  }
  return checks;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check the configuration, the store and every configured external account.')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const checks = await runChecks();
      if (flags.json) printJson({ ok: checks.every((c) => c.ok), checks });
      else printLines(checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(7)} ${c.detail}`));
      if (!checks.every((c) => c.ok)) process.exitCode = 1;
    });
}
