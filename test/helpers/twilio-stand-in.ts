import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpTransport, signTwilioRequest } from '../../integrations/gateways/twilio/index.js';

/**
 * A local stand-in for Twilio's Programmable Messaging REST API, for end-to-end tests and benchmarks:
 * a real node:http server on 127.0.0.1 (an ephemeral port) that the Twilio adapter reaches through
 * TWILIO_API_BASE. It implements what the adapter calls (CONTRACTS Part B §1):
 *
 * - `POST /2010-04-01/Accounts/{Sid}/Messages.json` (form: To, From or MessagingServiceSid, Body,
 *   StatusCallback, ...): 201 with the message resource, `status: "queued"`;
 * - `GET  /2010-04-01/Accounts/{Sid}/Messages.json` (the message list, newest first, paged): filters
 *   `To`, `From`, `DateSent` (that day), `DateSent>` and `DateSent<` (what `DateSent>=` and
 *   `DateSent<=` parse to), each a `YYYY-MM-DD` day or an ISO date-time; `PageSize`, `Page`;
 * - `GET  /2010-04-01/Accounts/{Sid}/Messages/{MessageSid}.json` and `GET /2010-04-01/Accounts/{Sid}.json`.
 *
 * Every request needs HTTP Basic `AccountSid:AuthToken` (401, code 20003, otherwise). Behaviours a
 * test can switch at any time with `setMode`: `accept` (normal), `throttle` (429 with Retry-After),
 * `hang` (never answers), `drop` (closes the connection without an answer). With `createBeforeFailing`
 * a hung or dropped send is still recorded as created, as when Twilio took a message but its answer
 * was lost. Optional latency, an enforced rate (sends past it answer 429, code 20429, as Twilio's
 * concurrency limit does), a record of arrival times per second, and optional status callbacks
 * (`sent`, then `delivered` or what `callbacks.outcome` says) signed with X-Twilio-Signature, posted
 * over keep-alive connections.
 *
 * A send is timed, counted against the rate and recorded as arrived when its request reaches the
 * stand-in; the latency is spent before it is handled and answered. (Timing it after the latency would
 * add the stand-in's own timer batching, up to tens of milliseconds on a busy machine, to what is
 * measured of the sender: `handledTimes` keeps those times for comparison.)
 *
 * Dates sent are the creation time: the stand-in "sends" at once.
 */
export type StandInMode = 'accept' | 'throttle' | 'hang' | 'drop';

export interface StandInMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  status: string;
  dateCreated: Date;
  numSegments: number;
}

export interface TwilioStandInOptions {
  accountSid?: string;
  authToken?: string;
  /** Milliseconds before each answer (a network round trip and Twilio's own time). Default 0. */
  latencyMs?: number;
  /** Sends accepted per wall-clock second; sends past it answer 429 (code 20429, Retry-After: 1). */
  ratePerSecond?: number;
  mode?: StandInMode;
  /** Retry-After, in seconds, of `throttle` mode's 429s. Default 1. */
  retryAfterSeconds?: number;
  /** In `hang` and `drop` modes, record the message as created before failing. Default false. */
  createBeforeFailing?: boolean;
  /** Post signed status callbacks to each message's StatusCallback URL. Default: none. */
  callbacks?: StatusCallbackOptions;
  /**
   * Told of each message that gets status callbacks, instead of posting them here (the threaded
   * stand-in posts them from another thread, so they do not delay the timing of arrivals).
   */
  onCallbacksDue?: (message: StandInMessage) => void;
}

export interface StatusCallbackOptions {
  delayMs?: number;
  outcome?: (message: StandInMessage) => 'delivered' | 'undelivered' | 'failed';
  /** The share of messages that get callbacks (every 1/share-th message), 0 to 1. Default 1: all. */
  share?: number;
}

export interface CallbackAttempt {
  sid: string;
  status: string;
  /** The HTTP status the service answered, or 0 when it could not be reached. */
  answer: number;
}

export interface TwilioStandIn {
  /** The base URL to give as TWILIO_API_BASE. */
  url: string;
  port: number;
  accountSid: string;
  authToken: string;
  /** Every message created, in order of creation. */
  messages: StandInMessage[];
  /** How many messages each recipient got (a duplicate shows as 2 or more). */
  countByTo(): Map<string, number>;
  /** POSTs to Messages.json per wall-clock second (epoch seconds), whatever they were answered. */
  arrivalsPerSecond(): Map<number, number>;
  /** When each POST to Messages.json arrived (epoch ms, sub-millisecond), in order, whatever it was answered: for sliding windows. */
  arrivalTimes(): number[];
  /** When each of those POSTs was handled, after the latency (epoch ms): arrival plus the stand-in's own timer delays. */
  handledTimes(): number[];
  /** Counts of what the send endpoint answered: created, throttled (429), hung, dropped. */
  stats: { created: number; throttled: number; hung: number; dropped: number; listed: number };
  callbackAttempts: CallbackAttempt[];
  setMode(mode: StandInMode, options?: { retryAfterSeconds?: number; createBeforeFailing?: boolean }): void;
  /** The environment that points the service's Twilio adapter here (TWILIO_* and SMS_GATEWAY). */
  env(options?: { mps?: number; from?: string }): Record<string, string>;
  close(): Promise<void>;
}

const API_VERSION = '2010-04-01';
const ACCOUNT = /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/Messages\.json|\/Messages\/([^/]+)\.json)$/;

const rfc2822 = (date: Date): string => date.toUTCString().replace('GMT', '+0000');
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function twilioError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

/** A day (`YYYY-MM-DD`, the whole day) or an instant, as a [from, to) range in milliseconds. */
function dateRange(value: string): [number, number] | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return [start, start + 86_400_000];
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : [at, at + 1];
}

function resource(accountSid: string, message: StandInMessage): Record<string, unknown> {
  const created = rfc2822(message.dateCreated);
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: created,
    date_sent: created,
    date_updated: created,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${message.sid}/Media.json` },
    to: message.to,
    uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${message.sid}.json`,
  };
}

export async function startTwilioStandIn(options: TwilioStandInOptions = {}): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  let mode: StandInMode = options.mode ?? 'accept';
  let retryAfterSeconds = options.retryAfterSeconds ?? 1;
  let createBeforeFailing = options.createBeforeFailing ?? false;
  const messages: StandInMessage[] = [];
  const bySid = new Map<string, StandInMessage>();
  const arrivals = new Map<number, number>();
  const arrivalTimes: number[] = [];
  const handledTimes: number[] = [];
  const callbacks = options.callbacks && !options.onCallbacksDue ? statusCallbackSender(accountSid, authToken, options.callbacks) : undefined;
  const stats = { created: 0, throttled: 0, hung: 0, dropped: 0, listed: 0 };
  const callbackAttempts: CallbackAttempt[] = callbacks?.attempts ?? [];
  const sockets = new Set<Socket>();
  const { later, stop: stopTimers } = laterTimers();
  let windowSecond = 0;
  let windowCount = 0;

  const create = (form: URLSearchParams): StandInMessage => {
    const body = form.get('Body') ?? '';
    const message: StandInMessage = {
      sid: `SM${hex(16)}`,
      to: form.get('To') ?? '',
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body,
      statusCallback: form.get('StatusCallback'),
      status: 'queued',
      dateCreated: new Date(),
      numSegments: Math.max(1, Math.ceil(body.length / 153)),
    };
    messages.push(message);
    bySid.set(message.sid, message);
    stats.created += 1;
    const share = options.callbacks?.share ?? 1;
    const sampled = share > 0 && Math.floor(messages.length * share) !== Math.floor((messages.length - 1) * share);
    if (options.callbacks && message.statusCallback && sampled) {
      if (options.onCallbacksDue) options.onCallbacksDue(message);
      else callbacks?.schedule(message);
    }
    return message;
  };

  const send = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams, arrivedAt: number): void => {
    const second = Math.floor(arrivedAt / 1000);
    arrivals.set(second, (arrivals.get(second) ?? 0) + 1);
    arrivalTimes.push(arrivedAt);
    handledTimes.push(performance.timeOrigin + performance.now());
    if (mode === 'throttle') {
      stats.throttled += 1;
      twilioError(res, 429, 20429, 'Too Many Requests', { 'retry-after': String(retryAfterSeconds) });
      return;
    }
    if (mode === 'hang' || mode === 'drop') {
      if (createBeforeFailing) create(form);
      if (mode === 'hang') stats.hung += 1;
      else {
        stats.dropped += 1;
        req.socket.destroy();
      }
      return;
    }
    if (options.ratePerSecond !== undefined) {
      if (second !== windowSecond) {
        windowSecond = second;
        windowCount = 0;
      }
      if (windowCount >= options.ratePerSecond) {
        stats.throttled += 1;
        twilioError(res, 429, 20429, 'Too Many Requests', { 'retry-after': '1' });
        return;
      }
      windowCount += 1;
    }
    const to = form.get('To');
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to)) {
      twilioError(res, 400, 21211, `The 'To' number ${to ?? ''} is not a valid phone number.`);
      return;
    }
    if (!form.get('From') && !form.get('MessagingServiceSid')) {
      twilioError(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
      return;
    }
    json(res, 201, resource(accountSid, create(form)));
  };

  const list = (res: ServerResponse, query: URLSearchParams): void => {
    stats.listed += 1;
    const ranges = (['DateSent', 'DateSent>', 'DateSent<'] as const).map((name) => [name, query.get(name)] as const);
    let found = messages.filter((m) => (!query.get('To') || m.to === query.get('To')) && (!query.get('From') || m.from === query.get('From')));
    for (const [name, value] of ranges) {
      if (value === null) continue;
      const range = dateRange(value);
      if (!range) {
        twilioError(res, 400, 20001, `Invalid ${name} filter: ${value}`);
        return;
      }
      const [from, to] = range;
      found = found.filter((m) => {
        const at = m.dateCreated.getTime();
        return name === 'DateSent' ? at >= from && at < to : name === 'DateSent>' ? at >= from : at < to;
      });
    }
    found = [...found].reverse();
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50) || 50));
    const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
    const slice = found.slice(page * pageSize, (page + 1) * pageSize);
    const base = `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
    const pageUri = (n: number): string => {
      const next = new URLSearchParams(query);
      next.set('PageSize', String(pageSize));
      next.set('Page', String(n));
      return `${base}?${next.toString()}`;
    };
    json(res, 200, {
      messages: slice.map((m) => resource(accountSid, m)),
      page,
      page_size: pageSize,
      start: page * pageSize,
      end: page * pageSize + Math.max(0, slice.length - 1),
      uri: pageUri(page),
      first_page_uri: pageUri(0),
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      next_page_uri: (page + 1) * pageSize < found.length ? pageUri(page + 1) : null,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, arrivedAt: number): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const route = ACCOUNT.exec(url.pathname);
    const body = await readBody(req);
    if (!route || route[1] !== accountSid) {
      twilioError(res, 404, 20404, 'The requested resource was not found');
      return;
    }
    if (req.headers.authorization !== expectedAuth) {
      twilioError(res, 401, 20003, 'Authentication Error - invalid username');
      return;
    }
    if (route[2] === '.json' && req.method === 'GET') {
      json(res, 200, { sid: accountSid, friendly_name: 'stand-in', status: 'active', type: 'Full' });
    } else if (route[2] === '/Messages.json' && req.method === 'POST') {
      send(req, res, new URLSearchParams(body), arrivedAt);
    } else if (route[2] === '/Messages.json' && req.method === 'GET') {
      list(res, url.searchParams);
    } else if (route[3] && req.method === 'GET') {
      const message = bySid.get(route[3]);
      if (message) json(res, 200, resource(accountSid, message));
      else twilioError(res, 404, 20404, 'The requested resource was not found');
    } else {
      twilioError(res, 405, 20004, 'Method not allowed');
    }
  };

  const server: Server = http.createServer((req, res) => {
    const arrivedAt = performance.timeOrigin + performance.now();
    const run = (): void => void handle(req, res, arrivedAt).catch(() => req.socket.destroy());
    if (options.latencyMs) later(options.latencyMs, run);
    else run();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    accountSid,
    authToken,
    messages,
    stats,
    callbackAttempts,
    countByTo: () => {
      const counts = new Map<string, number>();
      for (const m of messages) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
      return counts;
    },
    arrivalsPerSecond: () => new Map(arrivals),
    arrivalTimes: () => [...arrivalTimes],
    handledTimes: () => [...handledTimes],
    setMode: (next, settings = {}) => {
      mode = next;
      if (settings.retryAfterSeconds !== undefined) retryAfterSeconds = settings.retryAfterSeconds;
      if (settings.createBeforeFailing !== undefined) createBeforeFailing = settings.createBeforeFailing;
    },
    env: (settings = {}) => ({
      SMS_GATEWAY: 'twilio',
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM: settings.from ?? '+15005550006',
      TWILIO_API_BASE: url,
      TWILIO_MPS: String(settings.mps ?? options.ratePerSecond ?? 100),
    }),
    close: async () => {
      stopTimers();
      callbacks?.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Posts a message's status callbacks as Twilio does: `sent`, then `delivered` (or what `outcome`
 * says), each `delayMs` after the one before, form-encoded and signed with X-Twilio-Signature, over
 * keep-alive connections; every attempt and what it was answered is kept in `attempts`.
 */
export function statusCallbackSender(accountSid: string, authToken: string, options: StatusCallbackOptions): {
  /** Posts `sent` after `firstDelayMs` (default: `delayMs`), then the outcome `delayMs` later. */
  schedule(message: StandInMessage, firstDelayMs?: number): void;
  attempts: CallbackAttempt[];
  close(): void;
} {
  const transport = createHttpTransport({ maxSockets: 64 });
  const attempts: CallbackAttempt[] = [];
  const { later, stop: stopTimers, stopped } = laterTimers();

  const post = async (message: StandInMessage, status: string): Promise<void> => {
    if (!message.statusCallback || stopped()) return;
    message.status = status;
    const params: Record<string, string> = {
      MessageSid: message.sid, SmsSid: message.sid, MessageStatus: status, SmsStatus: status,
      AccountSid: accountSid, To: message.to, From: message.from ?? '', ApiVersion: API_VERSION,
      ...(status === 'undelivered' || status === 'failed' ? { ErrorCode: '30003' } : {}),
    };
    const signature = signTwilioRequest(authToken, message.statusCallback, params);
    let answer = 0;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('no answer in 5 s', 'TimeoutError')), 5000);
    try {
      const response = await transport.request(message.statusCallback, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
        signal: controller.signal,
      });
      answer = response.status;
    } catch {
      answer = 0;
    } finally {
      clearTimeout(timer);
    }
    attempts.push({ sid: message.sid, status, answer });
  };

  return {
    attempts,
    schedule: (message, firstDelayMs) => {
      const delay = options.delayMs ?? 0;
      const outcome = options.outcome?.(message) ?? 'delivered';
      later(firstDelayMs ?? delay, () => {
        void post(message, 'sent').then(() => later(delay, () => void post(message, outcome)));
      });
    },
    close: () => {
      stopTimers();
      transport.close();
    },
  };
}

/** Timers that a close stops at once: `later` runs nothing once `stop` was called. */
function laterTimers(): { later: (ms: number, run: () => void) => void; stop: () => void; stopped: () => boolean } {
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  return {
    later: (ms, run) => {
      if (closing) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!closing) run();
      }, ms);
      timers.add(timer);
    },
    stop: () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
    },
    stopped: () => closing,
  };
}
