import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_KEY, startApiServer } from '../helpers/api-server.js';
import { cli, useCliDataDir } from '../helpers/run-cli.js';

const FILE = 'Телефон;ФИО;Пол\n+79123456789;Иванов Иван Иванович;м\n+79123456790;Петрова Мария;ЖЕН\n+79123456791;Анна Мария Луиза Петрова;Ж\n+79123456792;Смирнов Олег;Муж\n';

describe('Russian full names and genders on import', () => {
  const scratch = useCliDataDir('smsb-names-');

  it('CLI: ФИО splits surname first with the patronymic; an unsplittable name is kept and reported; {{middleName}} renders', async () => {
    const file = path.join(scratch.dir(), 'clients.csv');
    fs.writeFileSync(file, FILE);
    const report = JSON.parse((await cli('import', file, '--json')).stdout);
    expect(report.created).toBe(4);
    expect(report.warnings).toEqual([expect.objectContaining({ row: 4, column: 'ФИО', reason: 'full_name_not_split', value: 'Анна Мария Луиза Петрова' })]);
    expect((await cli('import', file)).stdout).toContain('full_name_not_split');
    const ivanov = JSON.parse((await cli('contacts', 'show', '+79123456789', '--json')).stdout);
    expect(ivanov).toMatchObject({ lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', gender: 'male' });
    expect(JSON.parse((await cli('contacts', 'show', '+79123456790', '--json')).stdout)).toMatchObject({ lastName: 'Петрова', firstName: 'Мария', gender: 'female' });
    expect(JSON.parse((await cli('contacts', 'show', '+79123456791', '--json')).stdout)).toMatchObject({ gender: 'female', properties: { fullName: 'Анна Мария Луиза Петрова' } });
    expect(JSON.parse((await cli('contacts', 'show', '+79123456792', '--json')).stdout)).toMatchObject({ gender: 'male', lastName: 'Смирнов', firstName: 'Олег' });
    const preview = JSON.parse((await cli('campaign', 'preview', '--to', '+79123456789', '--kind', 'transactional', '--text', '{{firstName}} {{middleName}}, заказ готов', '--json')).stdout);
    expect(preview.samples[0].text).toContain('Иван Иванович, заказ готов');
  });

  it('REST: the upload gives the same split and report', async () => {
    const server = await startApiServer();
    try {
      const res = await fetch(`${server.base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' }, body: FILE });
      const report = (await res.json()) as { warnings: unknown[] };
      expect(report.warnings).toEqual([expect.objectContaining({ row: 4, reason: 'full_name_not_split' })]);
      expect((await server.api('GET', '/contacts/%2B79123456789')).body).toMatchObject({ lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', gender: 'male' });
    } finally {
      await server.close();
    }
  });
});
