import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const COMPOSE = path.join(ROOT, 'manifests', 'docker', 'compose.yml');
const text = fs.readFileSync(COMPOSE, 'utf8');

describe('the docker compose file for two instances on PostgreSQL', () => {
  it('builds the repository Dockerfile and runs two instances and PostgreSQL', () => {
    const context = /context:\s*(\S+)/.exec(text)?.[1] ?? '';
    const dockerfile = /dockerfile:\s*(\S+)/.exec(text)?.[1] ?? '';
    expect(fs.existsSync(path.join(path.dirname(COMPOSE), context, dockerfile))).toBe(true);
    const services = [...text.matchAll(/^ {2}([a-z][a-z0-9-]*):\s*$/gm)].map((m) => m[1]);
    expect(services).toEqual(expect.arrayContaining(['postgres', 'sms-bridge-a', 'sms-bridge-b']));
    expect(text).toMatch(/condition: service_healthy/);
  });

  it('points both instances at one database and schema, each with its own data volume', () => {
    expect(text).toMatch(/DATABASE_URL: postgres:\/\/smsbridge:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/smsbridge/);
    const names = [...text.matchAll(/^ {4}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string).filter((name) => !name.startsWith('POSTGRES_'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(Object.keys(configSchema.shape)).toContain(name);
    expect(text).toContain('- data-a:/data');
    expect(text).toContain('- data-b:/data');
  });

  it('gives a stop more time than SHUTDOWN_GRACE_S', () => {
    const grace = Number(/stop_grace_period:\s*(\d+)s/.exec(text)?.[1]);
    expect(grace).toBeGreaterThan(configSchema.parse({}).SHUTDOWN_GRACE_S);
  });
});
