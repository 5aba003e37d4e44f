import fs from 'node:fs';
import path from 'node:path';
import type { PublicActionDefinitionEgg } from '@hubspot/api-client/lib/codegen/automation/actions/models/PublicActionDefinitionEgg.js';
import { AppError } from '../../src/common/errors.js';
import { MANIFEST_FILE, SEND_SMS_ACTION_PATH } from './action-fields.js';
import type { HubSpotCaller } from './writes.js';

export interface InstallResult {
  outcome: 'created' | 'updated';
  definitionId: string;
  appId: string;
  actionUrl: string;
}

/** manifests/hubspot/send-sms-action.json, found from here in the source tree and in the built package alike. */
export function readActionManifest(start = import.meta.dirname): Record<string, unknown> {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, MANIFEST_FILE);
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (path.dirname(dir) === dir) throw new AppError('FILE_UNREADABLE', `${MANIFEST_FILE} was not found next to the program.`, { hint: 'Reinstall sms-bridge; the manifests folder ships with it.' });
  }
}

/** The action URL HubSpot is to call: --url, else PUBLIC_URL + the endpoint's path. */
export function actionUrlFor(publicUrl: string | undefined, override: string | undefined): string {
  const url = override ?? (publicUrl ? `${publicUrl.replace(/\/$/, '')}${SEND_SMS_ACTION_PATH}` : undefined);
  if (!url) {
    throw new AppError('CONFIG_INVALID', 'HubSpot needs the public URL of this service to call the action.', {
      hint: `Set PUBLIC_URL (e.g. https://sms.example.com) or pass --url https://sms.example.com${SEND_SMS_ACTION_PATH}.`,
    });
  }
  if (!url.startsWith('https://')) throw new AppError('VALIDATION_FAILED', `The action URL must be https:// (HubSpot calls only secure URLs); got ${url}.`);
  return url;
}

/**
 * Installs the "Send SMS" definition into the app (POST /automation/v4/actions/{appId}, developer API
 * key as `hapikey`), or updates the one already there (the same action name), so running it twice
 * never leaves two "Send SMS" actions in the workflow editor.
 * https://developers.hubspot.com/docs/api/automation/custom-workflow-actions
 */
export async function installSendSmsAction(developer: HubSpotCaller, options: { appId: string; actionUrl: string; manifest: Record<string, unknown> }): Promise<InstallResult> {
  const appId = Number(options.appId);
  const definition = { ...options.manifest, actionUrl: options.actionUrl } as unknown as PublicActionDefinitionEgg;
  const name = definition.labels?.en?.actionName;
  const page = await developer.call('default', (sdk) => sdk.automation.actions.definitionsApi.getPage(appId, 100));
  const existing = page.results.find((found) => found.labels?.en?.actionName === name || found.actionUrl === options.actionUrl);
  if (existing) {
    await developer.call('default', (sdk) => sdk.automation.actions.definitionsApi.update(existing.id, appId, definition));
    return { outcome: 'updated', definitionId: existing.id, appId: options.appId, actionUrl: options.actionUrl };
  }
  const created = await developer.call('default', (sdk) => sdk.automation.actions.definitionsApi.create(appId, definition));
  return { outcome: 'created', definitionId: created.id, appId: options.appId, actionUrl: options.actionUrl };
}
