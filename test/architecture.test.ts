import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('import direction (DESIGN.md), enforced by the lint rule', () => {
  it.each([
    ["import express from 'express';", 'no SDK, web framework'],
    ["import { Low } from 'lowdb';", 'no SDK, web framework'],
    ["import cron from 'node-cron';", 'no SDK, web framework'],
    ["import { x } from '../../integrations/gateways/twilio/index.js';", 'only src/app.ts imports integrations'],
    ["import { LowdbStore } from '../store/lowdb/lowdb-store.js';", 'ports, not on the service shell'],
    ['export const t = Date.now();', 'Clock'],
    ['export const t = new Date();', 'Clock'],
    ['export const k = process.env.API_KEY;', 'src/config.ts'],
  ])('domain code refuses %s', async (code, expected) => {
    const messages = await problems('src/contacts/example.ts', `${code}\nexport {};\n`);
    expect(messages.join('\n')).toContain(expected);
  });

  it('allows the shell and ports', async () => {
    expect(await problems('src/store/example.ts', "import { Low } from 'lowdb';\nexport const l = Low;\n")).toEqual([]);
    expect(await problems('src/contacts/example.ts', "import type { Store } from '../store/port.js';\nexport type S = Store;\n")).toEqual([]);
  });
});
