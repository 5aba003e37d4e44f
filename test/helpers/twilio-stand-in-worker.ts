import { parentPort, workerData } from 'node:worker_threads';
import type { StandInMessage, StandInMode, TwilioStandInOptions } from './twilio-stand-in.js';
import { startTwilioStandIn } from './twilio-stand-in.js';

/**
 * The thread side of `startTwilioStandInThread`: the stand-in's HTTP server, where arrivals are timed,
 * with nothing else on its event loop. Messages that get status callbacks are handed to the parent
 * (every 10 ms, in batches), which posts them; stats go to the parent every 50 ms.
 */
export interface ThreadMessage {
  sid: string;
  to: string;
  from: string | null;
  statusCallback: string | null;
  createdAt: number;
}

export type ToThread = { kind: 'finish' } | { kind: 'setMode'; mode: StandInMode; settings: { retryAfterSeconds?: number; createBeforeFailing?: boolean } };

const port = parentPort;
if (!port) throw new Error('the stand-in thread runs in a worker');
const { options, callbacks } = workerData as { options: Omit<TwilioStandInOptions, 'callbacks' | 'onCallbacksDue'>; callbacks: { share?: number } | undefined };
let due: ThreadMessage[] = [];
let flush: NodeJS.Timeout | undefined;
const onCallbacksDue = (message: StandInMessage): void => {
  due.push({ sid: message.sid, to: message.to, from: message.from, statusCallback: message.statusCallback, createdAt: message.dateCreated.getTime() });
  flush ??= setTimeout(() => {
    flush = undefined;
    port.postMessage({ kind: 'due', messages: due });
    due = [];
  }, 10);
};
const standIn = await startTwilioStandIn({ ...options, ...(callbacks ? { callbacks, onCallbacksDue } : {}) });
const stats = setInterval(() => port.postMessage({ kind: 'stats', stats: standIn.stats }), 50);
port.on('message', (message: ToThread) => {
  if (message.kind === 'setMode') {
    standIn.setMode(message.mode, message.settings);
    return;
  }
  clearInterval(stats);
  if (flush) clearTimeout(flush);
  port.postMessage({ kind: 'finished', stats: standIn.stats, arrivalTimes: standIn.arrivalTimes(), handledTimes: standIn.handledTimes(), due });
  void standIn.close().then(() => port.close());
});
port.postMessage({ kind: 'ready', url: standIn.url, port: standIn.port, accountSid: standIn.accountSid, authToken: standIn.authToken, stats: standIn.stats });
