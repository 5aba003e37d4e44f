import { describe, expect, it } from 'vitest';
import { cli, useCliDataDir } from '../helpers/run-cli.js';

useCliDataDir('smsb-outcome-cli-', { SHORT_LINK_BASE: 'https://go.example.ru', TEST_SEND_REQUIRED_ABOVE: '1000' });

const numbers = Array.from({ length: 40 }, (_, i) => `+7912${String(5_000_000 + i)}`).join(',');

describe('campaign create --holdout, --survey, --no-track-links', () => {
  it('keeps the options on the campaign, and preview shows short links and the held out', async () => {
    const text = 'Оцените покупку: https://shop.example/review — ответьте 1, 2 или 3';
    const created = await cli('campaign', 'create', '--name', 'Отзыв', '--to', numbers, '--text', text, '--kind', 'transactional', '--holdout', '25', '--survey', '1=Отлично,2=Нормально,3=Плохо', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const shown = JSON.parse((await cli('campaign', 'show', id, '--json')).stdout);
    expect(shown).toMatchObject({ holdoutPercent: 25, holdoutSeed: id, survey: { options: [{ key: '1', label: 'Отлично' }, { key: '2', label: 'Нормально' }, { key: '3', label: 'Плохо' }] } });
    expect(shown.trackLinks).toBeUndefined();

    const preview = await cli('campaign', 'preview', '--to', numbers, '--text', text, '--kind', 'transactional', '--holdout', '25', '--campaign-id', id);
    expect(preview.stdout).toMatch(/Held out: \d+ eligible recipients kept unsent/);
    expect(preview.stdout).toMatch(/https:\/\/go\.example\.ru\/s\/[0-9A-Za-z]{10}/);
    expect(preview.stdout).not.toContain('shop.example/review');

    const plain = await cli('campaign', 'preview', '--to', numbers, '--text', text, '--kind', 'transactional', '--no-track-links', '--json');
    expect(JSON.parse(plain.stdout).samples[0].text).toBe(text);
    const untracked = JSON.parse((await cli('campaign', 'create', '--name', 'Без ссылок', '--to', numbers, '--text', text, '--kind', 'transactional', '--no-track-links', '--json')).stdout) as { id: string };
    expect(JSON.parse((await cli('campaign', 'show', untracked.id, '--json')).stdout).trackLinks).toBe(false);
  }, 30_000);

  it('explains a bad holdout or survey', async () => {
    const holdout = await cli('campaign', 'create', '--name', 'x', '--to', numbers, '--text', 'Hi', '--kind', 'transactional', '--holdout', '80');
    expect(holdout.code).toBe(1);
    expect(holdout.stderr).toContain('at most 50');
    const survey = await cli('campaign', 'create', '--name', 'x', '--to', numbers, '--text', 'Hi', '--kind', 'transactional', '--survey', '1=Yes,2=No');
    expect(survey.code).toBe(1);
    expect(survey.stderr).toContain('START keyword');
  });
});
