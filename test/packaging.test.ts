import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

/** The Dockerfile's instructions (continuation lines joined), split into stages at each FROM. */
function dockerStages(): Array<{ from: string; instructions: Array<{ op: string; args: string }> }> {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: Array<{ from: string; instructions: Array<{ op: string; args: string }> }> = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') stages.push({ from: args, instructions: [] });
    else stages[stages.length - 1]?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

function dockerDaemon(): string | undefined {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (info.error) return 'the docker command is not installed here';
  if (info.status !== 0) return `no Docker daemon answers here (${(info.stderr || info.stdout).trim().split('\n')[0]})`;
  return undefined;
}

describe('the Dockerfile keeps its promises (read statically)', () => {
  const stages = dockerStages();
  const runtime = stages[stages.length - 1]!;
  const last = (op: string) => runtime.instructions.filter((i) => i.op === op).at(-1)?.args ?? '';

  it('is multi-stage: a build stage compiles, the runtime installs production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.from).toMatch(/ AS build$/i);
    expect(stages[0]!.instructions.some((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toBe(true);
    expect(runtime.instructions.some((i) => i.op === 'RUN' && /npm ci --omit=dev --ignore-scripts/.test(i.args))).toBe(true);
    expect(runtime.instructions.some((i) => i.op === 'COPY' && i.args.startsWith('--from=build') && i.args.includes('dist'))).toBe(true);
    // Every file the build copies exists, so the build cannot fail on a missing path.
    for (const instruction of stages.flatMap((s) => s.instructions).filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      for (const source of instruction.args.split(/\s+/).slice(0, -1)) expect(fs.existsSync(path.join(root, source)), source).toBe(true);
    }
  });

  it('runs `serve` as a non-root user under tini, with DATA_DIR a volume and a HEALTHCHECK on /healthz', () => {
    const user = last('USER');
    expect(user).not.toBe('');
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(runtime.instructions.some((i) => i.op === 'RUN' && /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    expect(JSON.parse(last('ENTRYPOINT'))).toEqual(['tini', '--']);
    expect(JSON.parse(last('CMD'))).toEqual(['node', 'dist/src/cli/main.js', 'serve']);
    const dataDir = /DATA_DIR=(\S+)/.exec(runtime.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '))?.[1];
    expect(dataDir).toBe('/data');
    expect(JSON.parse(last('VOLUME'))).toEqual([dataDir]);
    expect(last('HEALTHCHECK')).toContain('/healthz');
    // The user owns the data directory it writes to.
    expect(runtime.instructions.some((i) => i.op === 'RUN' && i.args.includes(`chown ${user}:${user} ${dataDir}`))).toBe(true);
  });

  it('its HEALTHCHECK command, run as is with node, passes on 200 and fails on 503 or no answer', async () => {
    const command = JSON.parse(last('HEALTHCHECK').replace(/^.*?CMD\s+/, '')) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    let status = 200;
    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? status : 404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const probe = async (): Promise<number | null> => {
      const child = spawn(process.execPath, command.slice(1), { env: { PATH: process.env.PATH ?? '', PORT: String(port) } });
      return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    };
    try {
      expect(await probe()).toBe(0);
      status = 503;
      expect(await probe()).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await probe()).toBe(1);
  });

  it('.dockerignore keeps secrets, dependencies and build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const entry of ['.env', 'node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
    expect(ignored).toContain('!.env.example');
  });
});

describe('the systemd unit and the license', () => {
  const unit = read('manifests/systemd/sms-bridge.service');
  const setting = (name: string): string | undefined => new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1];

  it('runs node (not npm) as an unprivileged user, stops with SIGTERM with more time than SHUTDOWN_GRACE_S, restarts after a crash', () => {
    expect(setting('ExecStart')).toMatch(/node dist\/src\/cli\/main\.js serve$/);
    expect(setting('User')).toBeDefined();
    expect(setting('User')).not.toBe('root');
    expect(setting('KillSignal')).toBe('SIGTERM');
    expect(Number(setting('TimeoutStopSec'))).toBeGreaterThan(configSchema.parse({}).SHUTDOWN_GRACE_S);
    expect(setting('Restart')).toBe('on-failure');
    expect(unit).toContain('Environment=DATA_DIR=/var/lib/sms-bridge');
    expect(setting('StateDirectory')).toBe('sms-bridge');
  });

  it('LICENSE is the MIT license that package.json names', () => {
    expect((JSON.parse(read('package.json')) as { license: string }).license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
    expect(read('LICENSE')).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('npm start execs the built JavaScript, so the stop signal npm forwards reaches node, not a shell', () => {
    expect((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start).toBe('exec node dist/src/cli/main.js serve');
  });
});

const noDocker = dockerDaemon();

describe('docker build', () => {
  it.skipIf(noDocker !== undefined)(`builds the image, which runs serve as a non-root user${noDocker ? ` (skipped: ${noDocker})` : ''}`, () => {
    const tag = `sms-bridge-test:${randomBytes(4).toString('hex')}`;
    try {
      const build = spawnSync('docker', ['build', '-t', tag, '.'], { cwd: root, encoding: 'utf8', timeout: 540_000 });
      expect(build.status, build.stderr).toBe(0);
      const inspect = spawnSync('docker', ['image', 'inspect', '--format', '{{json .Config}}', tag], { encoding: 'utf8' });
      const config = JSON.parse(inspect.stdout) as { User: string; Cmd: string[]; Entrypoint: string[]; Volumes: Record<string, unknown>; Healthcheck?: { Test: string[] } };
      expect(config.User).toBe('node');
      expect(config.Cmd).toEqual(['node', 'dist/src/cli/main.js', 'serve']);
      expect(config.Entrypoint).toEqual(['tini', '--']);
      expect(Object.keys(config.Volumes)).toEqual(['/data']);
      expect(config.Healthcheck?.Test.join(' ')).toContain('/healthz');
      const uid = spawnSync('docker', ['run', '--rm', '--entrypoint', 'id', tag, '-u'], { encoding: 'utf8', timeout: 60_000 });
      expect(uid.stdout.trim()).not.toBe('0');
    } finally {
      spawnSync('docker', ['image', 'rm', '-f', tag], { encoding: 'utf8' });
    }
  }, 600_000);
});
