import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/run-cli.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let dataDir: string;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-plan-cli-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('SMS_SENDER', 'SHOP');
  vi.stubEnv('SMS_PRICES', '{"default":{"RU":3.5,"default":6}}');
  expect((await cli('import', fixture)).code).toBe(0);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('segment, template, message and campaign preview commands', () => {
  it('creates, lists, shows and previews a segment', async () => {
    const created = await cli('segment', 'create', 'Москва', '--filter', '{"field":"city","op":"eq","value":"москва"}');
    expect(created.stdout).toContain('Saved segment "Москва": city = "москва"');
    expect((await cli('segment', 'list')).stdout).toContain('Москва');
    const preview = JSON.parse((await cli('segment', 'preview', 'Москва', '--json')).stdout);
    expect(preview).toMatchObject({ name: 'Москва', count: 1, total: 7 });
    expect(preview.sample[0].phone).toBe('+79123456789');
  });

  it('reads a filter from a file and explains a bad one with its path', async () => {
    const file = path.join(dataDir, 'filter.json');
    fs.writeFileSync(file, JSON.stringify({ and: [{ field: 'city', op: 'eq', value: 'Москва' }, { field: 'city', op: 'birthday_in_days', value: 3 }] }));
    const bad = await cli('segment', 'create', 'x', '--filter', `@${file}`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('filter.and[1].op');
    const notJson = await cli('segment', 'create', 'x', '--filter', '{city: Москва}');
    expect(notJson.stderr).toContain('not valid JSON');
    expect((await cli('segment', 'preview', 'nope')).stderr).toContain('No segment named "nope"');
  });

  it('refuses a template with an unknown variable, naming the known ones', async () => {
    const result = await cli('template', 'save', 'bad', '--text', 'Привет, {{frstName}}!');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('{{frstName}}');
    expect(result.stderr).toContain('firstName');
    expect((await cli('template', 'save', 'good', '--text', 'Привет, {{firstName}}! {{promo}}', '--var', 'promo')).code).toBe(0);
    expect(JSON.parse((await cli('template', 'show', 'good', '--json')).stdout)).toMatchObject({ variables: ['promo'] });
  });

  it('inspects a message: encoding, characters, segments, what forces UCS-2, a GSM-safe text', async () => {
    const result = JSON.parse((await cli('message', 'inspect', '“Sale” — 20% off…', '--json')).stdout);
    expect(result).toMatchObject({ encoding: 'UCS-2', characters: 17, segments: 1, nonGsmCharacters: ['“', '”', '—', '…'], gsmSafeText: '"Sale" - 20% off...' });
    const cyrillic = JSON.parse((await cli('message', 'inspect', 'Привет', '--transliterate', '--json')).stdout);
    expect(cyrillic).toMatchObject({ encoding: 'UCS-2', gsmSafeText: 'Privet', gsmSafeEncoding: 'GSM-7' });
  });

  it('previews a campaign as JSON from a saved segment and template', async () => {
    await cli('segment', 'create', 'all', '--filter', '{"and":[]}');
    await cli('template', 'save', 'promo', '--text', 'Здравствуйте{{#firstName}}, {{firstName}}{{/firstName}}! Код {{code}}', '--var', 'code');
    const result = await cli('campaign', 'preview', '--segment', 'all', '--template', 'promo', '--var', 'code=SPRING', '--at', '2026-11-27T07:00:00Z', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ audience: 7, currency: 'RUB' });
    expect(summary.toSend + summary.excludedTotal).toBe(7);
    expect(summary.excluded.minor).toBe(1);
    expect(summary.samples[0].text).toContain('Код SPRING');
    const missingVar = await cli('campaign', 'preview', '--segment', 'all', '--template', 'promo');
    expect(missingVar.stderr).toContain('needs values for: code');
  });

  it('previews an A/B split and a text preview for explicit numbers', async () => {
    const ab = await cli('campaign', 'preview', '--filter', '{"and":[]}', '--variant', 'A=Скидка 20%', '--variant', 'B:3=Скидка 15%', '--at', '2026-11-27T07:00:00Z');
    expect(ab.stdout).toContain('variant');
    const numbers = await cli('campaign', 'preview', '--to', '+79123456789,12345', '--text', 'Ваш заказ готов', '--kind', 'transactional', '--json');
    expect(JSON.parse(numbers.stdout)).toMatchObject({ audience: 2, toSend: 1, excluded: { invalid_number: 1 } });
    const twoAudiences = await cli('campaign', 'preview', '--segment', 'x', '--to', '1', '--text', 'a');
    expect(twoAudiences.stderr).toContain('exactly one audience');
  });
});
