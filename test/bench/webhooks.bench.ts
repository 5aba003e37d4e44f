import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { signTwilioRequest } from '../../integrations/gateways/twilio/index.js';

/**
 * Webhook ingestion on loopback: N Twilio status callbacks with valid signatures from 50 keep-alive
 * connections against the real service in another process; each is acknowledged only once durable.
 * Afterwards the service stops gracefully and reports how many messages the receipts marked delivered.
 */
const CONNECTIONS = Number(process.env.WEBHOOK_BENCH_CONNECTIONS ?? 50);

export async function benchWebhooks(count = Number(process.env.WEBHOOK_BENCH_REQUESTS ?? 20_000)): Promise<{ requests: number; perSecond: number; recorded: number; lost: number; p99Ms: number; non2xx: number }> {
  const server = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof2'] : []), '--import', 'tsx', path.join(import.meta.dirname, 'webhook-server.ts'), String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve) => {
    const check = (): void => {
      const match = /port (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
      else setTimeout(check, 50);
    };
    check();
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let next = 0;
  let non2xx = 0;
  // Signed up front, so the load generator's own HMACs do not take CPU from the server under test.
  const requests = Array.from({ length: count }, (_, i) => {
    const sid = `SM${String(i).padStart(32, '0')}`;
    const params = { MessageSid: sid, SmsSid: sid, MessageStatus: 'delivered', SmsStatus: 'delivered', AccountSid: `AC${'0'.repeat(32)}`, To: '+79120000000', From: '+15005550006', ApiVersion: '2010-04-01' };
    const pathAndQuery = `/webhooks/twilio/status?mid=m${i}`;
    return { pathAndQuery, body: new URLSearchParams(params).toString(), signature: signTwilioRequest('bench-token', `https://sms.example.com${pathAndQuery}`, params) };
  });
  const post = (i: number): Promise<void> => {
    const { pathAndQuery, body, signature } = requests[i] as (typeof requests)[number];
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) non2xx += 1;
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < count) await post(next++);
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  const recorded = Number(/delivered (\d+)/.exec(output)?.[1] ?? 0);
  latencies.sort((a, b) => a - b);
  return { requests: count, perSecond: count / seconds, recorded, lost: count - recorded, p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0, non2xx };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchWebhooks()));
