import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Short-link redirects on loopback while a campaign is sending: N `GET /s/<code>` from 50 keep-alive
 * connections (a phone browser's user agent) against the real service in another process, which
 * dispatches a 20,000-recipient campaign through the simulator meanwhile. Counts 302s, the messages
 * sent during the run, and the clicks recorded after it.
 */
const CONNECTIONS = 50;
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

export async function benchRedirect(count = 20_000): Promise<{ requests: number; perSecond: number; p99Ms: number; non302: number; sentDuring: number; clicks: number }> {
  const codesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-redirect-')), 'codes.json');
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'redirect-server.ts'), '20000', codesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [port, sentBefore] = await new Promise<[number, number]>((resolve) => {
    const check = (): void => {
      const match = /port (\d+) sent (\d+)/.exec(output);
      if (match) resolve([Number(match[1]), Number(match[2])]);
      else setTimeout(check, 50);
    };
    check();
  });
  const codes = JSON.parse(fs.readFileSync(codesFile, 'utf8')) as string[];
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let next = 0;
  let non302 = 0;
  const get = (i: number): Promise<void> => {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: `/s/${codes[i % codes.length]}`, method: 'GET', agent, headers: { 'user-agent': UA } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 302) non302 += 1;
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < count) await get(next++);
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  const done = /done sent (\d+) clicks (\d+)/.exec(output);
  latencies.sort((a, b) => a - b);
  fs.rmSync(path.dirname(codesFile), { recursive: true, force: true });
  return {
    requests: count, perSecond: count / seconds, p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0, non302,
    sentDuring: Number(done?.[1] ?? 0) - sentBefore, clicks: Number(done?.[2] ?? 0),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchRedirect()));
