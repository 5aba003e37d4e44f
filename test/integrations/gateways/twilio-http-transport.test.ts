import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../../integrations/gateways/twilio/index.js';
import { networkError } from '../../../integrations/gateways/twilio/twilio-request.js';

const servers: http.Server[] = [];
const transport = createHttpTransport({ maxSockets: 4 });
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A server on 127.0.0.1 answering each request with `answer`; returns its base URL. */
async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse, socket: Socket) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(Object.assign(req, { body: Buffer.concat(chunks).toString('utf8') }), res, req.socket));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (url: string, body = 'To=%2B15005550001', signal = AbortSignal.timeout(5000)) =>
  transport.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal });

describe('the Twilio keep-alive transport, over a socket', () => {
  it('sends method, path, query, headers and body, and reads status, headers and the whole body; connections are reused', async () => {
    const seen: { method?: string; url?: string; type?: string; length?: string; body?: string; port: number }[] = [];
    const base = await serve((req, res, socket) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], length: req.headers['content-length'], body: (req as unknown as { body: string }).body, port: socket.remotePort ?? 0 });
      res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '2' });
      res.write('{"sid":');
      setImmediate(() => res.end('"SM1"}'));
    });
    const first = await post(`${base}/2010-04-01/Messages.json?x=1`, 'Body=hé');
    const second = await post(`${base}/2010-04-01/Messages.json`);
    expect(first.status).toBe(201);
    expect(first.headers.get('Retry-After')).toBe('2');
    expect(first.headers.get('x-missing')).toBeNull();
    expect(await first.text()).toBe('{"sid":"SM1"}');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/2010-04-01/Messages.json?x=1', type: 'application/x-www-form-urlencoded', length: '8', body: 'Body=hé' });
    expect(second.status).toBe(201);
    expect(seen[1]?.port).toBe(seen[0]?.port);
  });

  it('a refused connection can be retried; a connection closed mid-answer or an abort leaves the outcome unknown', async () => {
    const closed = await serve(() => undefined);
    const port = new URL(closed).port;
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const refused = await post(`http://127.0.0.1:${port}/x`).catch((error: unknown) => error);
    expect(networkError(refused)).toMatchObject({ code: 'unavailable', retryable: true, providerCode: 'ECONNREFUSED' });

    const cut = await serve((_req, res, socket) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"sid":');
      setImmediate(() => socket.destroy());
    });
    const midBody = await post(`${cut}/x`).catch((error: unknown) => error);
    expect(networkError(midBody)).toMatchObject({ code: 'unknown', outcomeUnknown: true });

    const silent = await serve(() => undefined);
    const controller = new AbortController();
    const pending = post(`${silent}/x`, 'a=1', controller.signal).catch((error: unknown) => error);
    controller.abort(new DOMException('no answer', 'TimeoutError'));
    expect(networkError(await pending)).toMatchObject({ code: 'timeout', outcomeUnknown: true });
    transport.close();
  });
});
