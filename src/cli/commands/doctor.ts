import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
import { openApp } from '../../app.js';
import { isAppError } from '../../common/errors.js';
import { loadConfig, loadDotEnv } from '../../config.js';
import type { Config } from '../../config.js';
import { printJson, printLines } from '../output.js';
import { maskDatabaseUrl } from '../../store/postgres/db.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Worth knowing, but not a failure (doctor still exits 0). */
  warning?: boolean;
}

/** Every gateway a message can go through, with what makes it used: SMS_GATEWAY, each SMS_ROUTES target, the failover. */
export function gatewaysInUse(config: Pick<Config, 'SMS_GATEWAY' | 'SMS_ROUTES' | 'SMS_FAILOVER_GATEWAY'>): Array<{ name: string; usedBy: string[] }> {
  const used = new Map<string, string[]>();
  const add = (name: string, by: string): void => {
    used.set(name, [...(used.get(name) ?? []), by]);
  };
  add(config.SMS_GATEWAY, 'SMS_GATEWAY');
  for (const [country, name] of Object.entries(config.SMS_ROUTES)) add(name, `SMS_ROUTES ${country}`);
  if (config.SMS_FAILOVER_GATEWAY) add(config.SMS_FAILOVER_GATEWAY, 'SMS_FAILOVER_GATEWAY');
  return [...used].map(([name, usedBy]) => ({ name, usedBy }));
}

/** `serve` refuses to start without API_KEY; the CLI alone does not need it, so this is a warning. */
function apiKeyCheck(config: Config): Check {
  if (config.API_KEY) return { name: 'api key', ok: true, detail: 'API_KEY is set: REST clients send it as Authorization: Bearer <API_KEY>' };
  return { name: 'api key', ok: true, warning: true, detail: '`smsbridge serve` will refuse to start: API_KEY is not set. Set API_KEY (at least 16 characters; e.g. openssl rand -hex 24) in the environment or .env.' };
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
    const storeConfig = config.DATABASE_URL ? `DATABASE_URL=${maskDatabaseUrl(config.DATABASE_URL)}, DATABASE_SCHEMA=${config.DATABASE_SCHEMA}` : `DATA_DIR=${config.DATA_DIR}`;
    checks.push({ name: 'config', ok: true, detail: `${storeConfig}, DEFAULT_COUNTRY=${config.DEFAULT_COUNTRY}, DEFAULT_TIMEZONE=${config.DEFAULT_TIMEZONE}` });
    checks.push(apiKeyCheck(config));
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
      const usage = app.store.usage?.();
      if (usage) {
        const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
        const over = usage.bytes > usage.maxBytes;
        checks.push({
          // Reading and finishing work at any size: past the budget only new sends refuse, so it warns.
          name: 'store size', ok: true, ...(over ? { warning: true } : {}),
          detail: `${mb(usage.bytes)} MB of ${mb(usage.maxBytes)} MB (STORE_MAX_MB)${over ? ': new sends refuse; archive finished campaigns (campaign archive --older-than <days>) or set DATABASE_URL' : ''}`,
        });
      }
      for (const { name, usedBy } of gatewaysInUse(config)) checks.push(await checkGateway(app, name, usedBy));
      if (config.HUBSPOT_ACCESS_TOKEN) checks.push(await checkHubSpot(app));
    } finally {
      await app.close();
    }
  } catch (error) {
    checks.push({ name: 'store', ok: false, detail: isAppError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : String(error) });
  }
  return checks;
}

/** One cheap authenticated call per gateway in use: wrong or missing credentials show up here, not mid-campaign. */
async function checkGateway(app: AppContext, name: string, usedBy: readonly string[]): Promise<Check> {
  const check = `gateway ${name}`;
  const why = `(used by ${usedBy.join(', ')})`;
  try {
    const gateway = app.gateway(name);
    if (!gateway.verifyCredentials) return { name: check, ok: true, detail: `configured ${why}; no credential check for this gateway` };
    const result = await gateway.verifyCredentials();
    return { name: check, ok: result.ok, detail: `${result.detail} ${why}` };
  } catch (error) {
    const message = isAppError(error) ? error.message : String(error);
    return { name: check, ok: false, detail: `${message} ${why} Set those variables (see .env.example), or change ${usedBy.map((u) => u.split(' ')[0]).filter((v, i, a) => a.indexOf(v) === i).join(' / ')}.` };
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
      else printLines(checks.map((c) => `${c.warning ? 'warn' : c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(18)} ${c.detail}`));
      if (!checks.every((c) => c.ok)) process.exitCode = 1;
    });
}
