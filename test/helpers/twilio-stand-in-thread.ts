import { Worker } from 'node:worker_threads';
import type { CallbackAttempt, StandInMessage, StandInMode, TwilioStandIn, TwilioStandInOptions } from './twilio-stand-in.js';
import { statusCallbackSender } from './twilio-stand-in.js';
import type { ThreadMessage, ToThread } from './twilio-stand-in-worker.js';

/**
 * The Twilio stand-in with its HTTP server on a thread of its own, for benchmarks: arrivals are timed
 * as requests reach it (as in `startTwilioStandIn`), on an event loop that does nothing else, so the
 * bench's own work (fetching reports, posting status callbacks) cannot delay the timing and make
 * sends that arrived evenly look bunched. Status callbacks are posted from the calling thread, signed
 * and timed as the in-process stand-in posts them (`delayMs` after creation, then again).
 * `stats` follow the thread's every 50 ms; the arrival times come with `finish()`.
 */
export interface TwilioStandInThread extends Pick<TwilioStandIn, 'url' | 'port' | 'accountSid' | 'authToken' | 'env'> {
  stats: TwilioStandIn['stats'];
  callbackAttempts: CallbackAttempt[];
  setMode(mode: StandInMode, settings?: { retryAfterSeconds?: number; createBeforeFailing?: boolean }): void;
  /** Stops the server and returns when each send arrived and was handled (epoch ms), as the in-process stand-in's arrivalTimes/handledTimes. */
  finish(): Promise<{ arrivalTimes: number[]; handledTimes: number[] }>;
  /** finish(), if not done yet, and stops posting callbacks. */
  close(): Promise<void>;
}

type FromThread =
  | { kind: 'ready'; url: string; port: number; accountSid: string; authToken: string; stats: TwilioStandIn['stats'] }
  | { kind: 'stats'; stats: TwilioStandIn['stats'] }
  | { kind: 'due'; messages: ThreadMessage[] }
  | { kind: 'finished'; stats: TwilioStandIn['stats']; arrivalTimes: number[]; handledTimes: number[]; due: ThreadMessage[] };

export async function startTwilioStandInThread(options: Omit<TwilioStandInOptions, 'onCallbacksDue'> = {}): Promise<TwilioStandInThread> {
  const { callbacks, ...rest } = options;
  // The worker loads the TypeScript source through tsx, as the bench itself is run.
  const source = new URL('./twilio-stand-in-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`, {
    eval: true,
    workerData: { options: rest, callbacks: callbacks && { share: callbacks.share } },
  });
  let onFinished: ((times: { arrivalTimes: number[]; handledTimes: number[] }) => void) | undefined;
  // A thread that stopped without answering (it failed): no times.
  const exited = new Promise<void>((resolve) => worker.once('exit', () => {
    onFinished?.({ arrivalTimes: [], handledTimes: [] });
    resolve();
  }));
  const ready = await new Promise<Extract<FromThread, { kind: 'ready' }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', function first(message: FromThread) {
      if (message.kind !== 'ready') return;
      worker.off('message', first);
      worker.off('error', reject);
      resolve(message);
    });
  });
  const sender = callbacks && statusCallbackSender(ready.accountSid, ready.authToken, callbacks);
  const stats = { ...ready.stats };
  const post = (messages: ThreadMessage[]): void => {
    if (!sender) return;
    for (const due of messages) {
      const message: StandInMessage = { ...due, messagingServiceSid: null, body: '', status: 'queued', dateCreated: new Date(due.createdAt), numSegments: 1 };
      sender.schedule(message, Math.max(0, due.createdAt + (callbacks?.delayMs ?? 0) - Date.now()));
    }
  };
  let finished: Promise<{ arrivalTimes: number[]; handledTimes: number[] }> | undefined;
  worker.on('message', (message: FromThread) => {
    if (message.kind === 'stats') Object.assign(stats, message.stats);
    else if (message.kind === 'due') post(message.messages);
    else if (message.kind === 'finished') {
      Object.assign(stats, message.stats);
      post(message.due);
      onFinished?.({ arrivalTimes: message.arrivalTimes, handledTimes: message.handledTimes });
    }
  });
  const finish = (): Promise<{ arrivalTimes: number[]; handledTimes: number[] }> => {
    finished ??= new Promise((resolve) => {
      onFinished = resolve;
      worker.postMessage({ kind: 'finish' } satisfies ToThread);
    });
    return finished;
  };
  return {
    url: ready.url,
    port: ready.port,
    accountSid: ready.accountSid,
    authToken: ready.authToken,
    stats,
    callbackAttempts: sender?.attempts ?? [],
    setMode: (mode, settings = {}) => worker.postMessage({ kind: 'setMode', mode, settings } satisfies ToThread),
    env: (settings = {}) => ({
      SMS_GATEWAY: 'twilio',
      TWILIO_ACCOUNT_SID: ready.accountSid,
      TWILIO_AUTH_TOKEN: ready.authToken,
      TWILIO_FROM: settings.from ?? '+15005550006',
      TWILIO_API_BASE: ready.url,
      TWILIO_MPS: String(settings.mps ?? options.ratePerSecond ?? 100),
    }),
    finish,
    close: async () => {
      await finish();
      sender?.close();
      await exited;
    },
  };
}
