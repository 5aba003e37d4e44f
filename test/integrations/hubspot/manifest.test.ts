import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_FIELDS, ACTION_OUTPUT_FIELDS, ACTION_PHONE_PROPERTIES, ACTION_STATUSES, ACTION_TEMPLATE_PROPERTIES, MANIFEST_FILE, SEND_SMS_ACTION_PATH } from '../../../integrations/hubspot/action-fields.js';
import { actionRequestSchema } from '../../../integrations/hubspot/action-request.js';
import { finalOutput } from '../../../integrations/hubspot/callback-sink.js';
import { makeOutboxRow } from '../../helpers/factories.js';

interface Field { typeDefinition: { name: string; type: string; options?: Array<{ value: string }> }; isRequired?: boolean }
const manifest = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', '..', '..', MANIFEST_FILE), 'utf8')) as {
  actionUrl: string; objectTypes: string[]; objectRequestOptions: { properties: string[] }; inputFields: Field[]; outputFields: Field[];
  labels: { en: { actionName: string; inputFieldLabels: Record<string, string>; outputFieldLabels: Record<string, string> } };
};
const names = (fields: Field[]): string[] => fields.map((field) => field.typeDefinition.name);

describe('manifests/hubspot/send-sms-action.json', () => {
  it('declares exactly the input fields the endpoint reads, and labels each', () => {
    expect(names(manifest.inputFields)).toEqual([...ACTION_INPUT_FIELDS]);
    expect(Object.keys(actionRequestSchema.shape.inputFields.shape).sort()).toEqual([...ACTION_INPUT_FIELDS].sort());
    expect(Object.keys(manifest.labels.en.inputFieldLabels).sort()).toEqual([...ACTION_INPUT_FIELDS].sort());
    const kind = manifest.inputFields.find((field) => field.typeDefinition.name === 'kind');
    expect(kind?.typeDefinition.options?.map((option) => option.value).sort()).toEqual(['marketing', 'transactional']);
    expect(manifest.inputFields.find((field) => field.typeDefinition.name === 'message')?.isRequired).toBe(true);
  });

  it('declares exactly the output fields the endpoint writes, with every status it can report', () => {
    expect(names(manifest.outputFields)).toEqual([...ACTION_OUTPUT_FIELDS]);
    expect(Object.keys(manifest.labels.en.outputFieldLabels).sort()).toEqual([...ACTION_OUTPUT_FIELDS].sort());
    const written = Object.keys(finalOutput(makeOutboxRow({ campaignId: 'c', contactId: 'x', status: 'delivered' }))).filter((key) => !key.startsWith('hs_'));
    expect(written.sort()).toEqual([...ACTION_OUTPUT_FIELDS].sort());
    const status = manifest.outputFields.find((field) => field.typeDefinition.name === 'status');
    expect(status?.typeDefinition.options?.map((option) => option.value)).toEqual([...ACTION_STATUSES]);
  });

  it('asks HubSpot for the contact properties the endpoint reads and the templates may use, and points at the endpoint', () => {
    expect(manifest.objectTypes).toEqual(['CONTACT']);
    expect(manifest.objectRequestOptions.properties).toEqual([...ACTION_TEMPLATE_PROPERTIES]);
    for (const name of ACTION_PHONE_PROPERTIES) expect(manifest.objectRequestOptions.properties).toContain(name);
    expect(new URL(manifest.actionUrl).pathname).toBe(SEND_SMS_ACTION_PATH);
    expect(manifest.labels.en.actionName).toBe('Send SMS');
  });
});
