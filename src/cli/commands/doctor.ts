import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
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
      for (const name of [config.SMS_GATEWAY, ...(config.SMS_FAILOVER_GATEWAY ? [config.SMS_FAILOVER_GATEWAY] : [])]) checks.push(await checkGateway(app, name));
      if (config.HUBSPOT_ACCESS_TOKEN) checks.push(await checkHubSpot(app));
    } finally {
      await app.close();
    }
  } catch (error) {
    checks.push({ name: 'store', ok: false, detail: isAppError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : String(error) });
  }
  return checks;
}

/** One cheap authenticated call per configured gateway: wrong credentials show up here, not mid-campaign. */
async function checkGateway(app: AppContext, name: string): Promise<Check> {
  try {
    const gateway = app.gateway(name);
    if (!gateway.verifyCredentials) return { name: `gateway ${name}`, ok: true, detail: 'configured (no credential check for this gateway)' };
    const result = await gateway.verifyCredentials();
    return { name: `gateway ${name}`, ok: result.ok, detail: result.detail };
  } catch (error) {
    return { name: `gateway ${name}`, ok: false, detail: isAppError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : String(error) };
  }
}

/** The token with one cheap call (its scopes), naming the scopes sms-bridge needs and the token lacks. */
async function checkHubSpot(app: AppContext): Promise<Check> {
  try {
    const result = await app.hubspot().crm.verifyCredentials();
    return { name: 'hubspot', ok: result.ok, detail: result.detail };
  } catch (error) {
    return { name: 'hubspot', ok: false, detail: isAppError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : String(error) };
  }
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check the configuration, the store and every configured external account.')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const checks = await runChecks();
      if (flags.json) printJson({ ok: checks.every((c) => c.ok), checks });
      else printLines(checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(18)} ${c.detail}`));
      if (!checks.every((c) => c.ok)) process.exitCode = 1;
    });
}
