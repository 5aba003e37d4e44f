import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/store/lowdb/journal.js';

describe('journal', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every appended record as one JSON line, in order, across buffers and while a write runs', async () => {
    const file = path.join(dir, 'things.jsonl');
    const journal = Journal.fresh<{ n: number; text: string }>(file);
    const records: Array<{ n: number; text: string }> = [];
    const appends: Array<Promise<void>> = [];
    // Two-byte and four-byte text, and lines longer than a buffer (1 MB), mixed with short ones.
    for (let n = 0; n < 300; n += 1) {
      const text = n % 100 === 7 ? 'Ж😀'.repeat(200_000) : `Иван ${n} "кавычки" \\ 😀`;
      const record = { n, text };
      records.push(record);
      appends.push(journal.append([record]));
    }
    await Promise.all(appends);
    expect(journal.size()).toBe(300);
    // Appended after the first writes finished: the same file goes on.
    const last = { n: 300, text: 'конец' };
    await journal.append([last]);
    await journal.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([...records, last]);

    const reopened = await Journal.open<{ n: number; text: string }>(file);
    expect(reopened.records).toHaveLength(301);
    expect(reopened.journal.size()).toBe(301);
  });
});
