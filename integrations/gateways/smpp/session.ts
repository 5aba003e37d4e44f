import { isIP } from 'node:net';
import smpp from 'smpp';
import type { Clock } from '../../../src/common/clock.js';
import type { Timers } from '../../../src/delivery/timers.js';
import type { SmppEndpoint } from './config.js';
import type { SubmitFields } from './encode.js';
import { createWindow } from './window.js';

/** idle: never opened · connecting: TCP + bind under way · waiting: down, a reconnect is scheduled. */
export type LinkState = 'idle' | 'connecting' | 'bound' | 'waiting' | 'closed';

/** Why the last attempt did not end bound: the SMSC refused the bind, or the network failed. */
export type LinkFailure = { kind: 'bind_refused'; status: number } | { kind: 'network'; detail: string };

/** Nothing was written: safe to try again. */
type NotSent = { kind: 'not_sent'; detail: string };

export type SubmitOutcome =
  | { kind: 'answered'; status: number; messageId: string }
  | NotSent
  /** Written but never answered: the SMSC may have accepted it, so the outcome is unknown. */
  | { kind: 'no_answer'; detail: string };

/** A query_sm answer (SMPP 3.4 §4.8.2): the SMSC's state of a message it returned an id for. */
export type QueryOutcome =
  | { kind: 'answered'; status: number; messageState?: number; errorCode?: number }
  | NotSent
  | { kind: 'no_answer'; detail: string };

export type Readiness = { ok: true } | { ok: false; failure?: LinkFailure; retryInMs?: number };

export interface SessionOptions {
  endpoint: SmppEndpoint;
  systemId: string;
  password: string;
  systemType?: string;
  /** submit_sm PDUs awaiting submit_sm_resp at most. */
  window: number;
  enquireLinkMs: number;
  /** For bind (including the TCP connect), submit_sm, enquire_link and unbind. */
  responseTimeoutMs: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export interface SessionDeps {
  clock: Clock;
  timers: Timers;
  /** A deliver_sm from the SMSC; resolves to the deliver_sm_resp command_status. `linkId` names this bind. */
  onDeliver(pdu: smpp.PDU, linkId: string): Promise<number>;
  onState?(state: LinkState): void;
}

export interface SmppSession {
  state(): LinkState;
  /** Opens the link if idle; waits while connecting; then says whether a submit can go out. */
  ready(): Promise<Readiness>;
  /**
   * `onAnswered` runs synchronously with the response, before node-smpp reads the next PDU, so the
   * caller can note the message_id before a receipt for it (often in the same TCP read) is handled.
   */
  submit(fields: SubmitFields, onAnswered?: (outcome: SubmitOutcome) => void): Promise<SubmitOutcome>;
  /** query_sm for a message id the SMSC returned (its source address as submitted). */
  query(fields: { message_id: string; source_addr_ton: number; source_addr_npi: number; source_addr: string }): Promise<QueryOutcome>;
  /** Unbinds (waiting at most the response timeout), closes the socket, stops reconnecting. */
  close(): Promise<void>;
}

/** Requests SMPP 3.4 defines no response for (§4.12 alert_notification, §4.1.7 outbind). */
const NO_RESPONSE: ReadonlySet<string> = new Set(['alert_notification', 'outbind']);
/** SMPP 3.4: interface_version 0x34 (node-smpp defaults to 0x50, and some SMSCs fall back to 3.3). */
const INTERFACE_VERSION = 0x34;

/**
 * One bind_transceiver to an SMSC: keepalive, answers to the SMSC's requests, reconnection with
 * exponential backoff on the injected timers, and a window on un-acknowledged submit_sm PDUs.
 * Vendor doc for every PDU below: SMPP v3.4 Issue 1.2 (smpp.org/SMPP_v3_4_Issue1_2.pdf) §4.
 */
export function createSmppSession(options: SessionOptions, deps: SessionDeps): SmppSession {
  const { timers } = deps;
  const minDelay = options.reconnectMinMs ?? 1000;
  const maxDelay = options.reconnectMaxMs ?? 60_000;
  const window = createWindow(options.window);
  const pending = new Set<(outcome: SubmitOutcome) => void>();
  const stateWaiters: (() => void)[] = [];
  let state: LinkState = 'idle';
  let link: smpp.Session | undefined;
  let linkId = '';
  let generation = 0;
  let failure: LinkFailure | undefined;
  let failedAttempts = 0;
  let reconnectAt = 0;
  let submits = 0;
  const handles = new Map<string, unknown>();

  const setTimer = (name: string, fn: () => void, ms: number): void => {
    clearTimer(name);
    handles.set(name, timers.setTimeout(() => {
      handles.delete(name);
      fn();
    }, ms));
  };
  const clearTimer = (name: string): void => {
    if (handles.has(name)) timers.clearTimeout(handles.get(name));
    handles.delete(name);
  };

  const setState = (next: LinkState): void => {
    state = next;
    deps.onState?.(next);
    for (const wake of stateWaiters.splice(0)) wake();
  };

  const failPending = (detail: string): void => {
    for (const settle of [...pending]) settle({ kind: 'no_answer', detail });
  };

  const lost = (): void => {
    link = undefined;
    for (const name of ['connect', 'enquire', 'enquireDeadline']) clearTimer(name);
    failure ??= { kind: 'network', detail: 'The SMSC closed the connection' };
    failPending('The connection closed before the SMSC answered');
    if (state === 'closed') return;
    failedAttempts++;
    const delay = Math.min(minDelay * 2 ** (failedAttempts - 1), maxDelay);
    reconnectAt = deps.clock.now().getTime() + delay;
    setState('waiting');
    setTimer('reconnect', open, delay);
  };

  const keepAlive = (session: smpp.Session, gen: number): void => {
    // SMPP 3.4 §4.11 enquire_link: proves the link end to end; an unanswered one means it is dead.
    setTimer('enquire', () => {
      if (gen !== generation) return;
      setTimer('enquireDeadline', () => {
        failure = { kind: 'network', detail: `enquire_link unanswered for ${options.responseTimeoutMs} ms` };
        session.destroy();
      }, options.responseTimeoutMs);
      session.enquire_link({}, () => {
        if (gen !== generation) return;
        clearTimer('enquireDeadline');
        keepAlive(session, gen);
      });
    }, options.enquireLinkMs);
  };

  const answer = (session: smpp.Session, pdu: smpp.PDU): void => {
    if (pdu.isResponse() || NO_RESPONSE.has(pdu.command)) return;
    if (pdu.command === 'enquire_link') session.send(pdu.response());
    else if (pdu.command === 'deliver_sm' || pdu.command === 'data_sm') {
      // Always answered, or the SMSC redelivers; a failed hand-off asks for a later redelivery.
      // Some SMSCs send receipts as data_sm (§4.7), which carries the same TLVs.
      void deps.onDeliver(pdu, linkId).catch(() => smpp.ESME_RX_T_APPN).then((status) => session.send(pdu.response({ command_status: status })));
    } else if (pdu.command === 'unbind') {
      failure = { kind: 'network', detail: 'The SMSC unbound the session' };
      session.send(pdu.response(), undefined, () => session.destroy());
    } else session.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
  };

  const bind = (session: smpp.Session, gen: number): void => {
    // SMPP 3.4 §4.1.5 bind_transceiver: one session both submits and receives deliver_sm.
    const fields = { system_id: options.systemId, password: options.password, system_type: options.systemType ?? '', interface_version: INTERFACE_VERSION };
    session.bind_transceiver(fields, (resp) => {
      if (gen !== generation) return;
      clearTimer('connect');
      if (resp.command_status !== 0) {
        failure = { kind: 'bind_refused', status: resp.command_status };
        session.destroy();
        return;
      }
      failedAttempts = 0;
      linkId = deps.clock.now().getTime().toString(36);
      setState('bound');
      keepAlive(session, gen);
    });
  };

  function open(): void {
    const gen = ++generation;
    failure = undefined;
    setState('connecting');
    const { host, port, tls } = options.endpoint;
    const session = smpp.connect({ host, port, tls, ...(tls && isIP(host) === 0 ? { servername: host } : {}) });
    link = session;
    // An unhandled 'error' would kill the process; 'close' always follows a socket error.
    session.on('error', (error: NodeJS.ErrnoException) => {
      if (gen !== generation) return;
      failure ??= { kind: 'network', detail: error.code ?? error.message };
      session.destroy();
    });
    session.on('close', () => {
      if (gen === generation) lost();
    });
    session.on(tls ? 'secureConnect' : 'connect', () => {
      // Small PDUs must not wait for Nagle's algorithm: with a window, that is a 40 ms stall per answer.
      session.socket.setNoDelay(true);
      if (gen === generation) bind(session, gen);
    });
    session.on('pdu', (pdu: smpp.PDU) => {
      if (gen !== generation) return;
      try {
        answer(session, pdu);
      } catch (error) {
        // A throw here would escape node-smpp's socket handler and end the process.
        session.emit('error', error);
      }
    });
    setTimer('connect', () => {
      failure = { kind: 'network', detail: `Not bound within ${options.responseTimeoutMs} ms` };
      session.destroy();
    }, options.responseTimeoutMs);
  }

  const nextState = (): Promise<void> => new Promise((resolve) => stateWaiters.push(resolve));

  const send = (session: smpp.Session, fields: SubmitFields, onAnswered?: (outcome: SubmitOutcome) => void): Promise<SubmitOutcome> =>
    new Promise((resolve) => {
      const timer = `submit:${++submits}`;
      const settle = (outcome: SubmitOutcome): void => {
        if (!pending.delete(settle)) return;
        clearTimer(timer);
        window.release();
        onAnswered?.(outcome);
        resolve(outcome);
      };
      pending.add(settle);
      // SMPP 3.4 §4.4.1 submit_sm; the answer is matched by sequence_number inside node-smpp.
      const written = session.submit_sm({ ...fields }, (resp) => settle({ kind: 'answered', status: resp.command_status, messageId: String(resp.message_id ?? '') }));
      if (!written) settle({ kind: 'not_sent', detail: 'The socket is not writable' });
      else setTimer(timer, () => settle({ kind: 'no_answer', detail: `No submit_sm_resp within ${options.responseTimeoutMs} ms` }), options.responseTimeoutMs);
    });

  const query = (session: smpp.Session, fields: Record<string, unknown>): Promise<QueryOutcome> =>
    new Promise((resolve) => {
      const timer = `query:${++submits}`;
      let done = false;
      const settle = (outcome: QueryOutcome): void => {
        if (done) return;
        done = true;
        clearTimer(timer);
        window.release();
        resolve(outcome);
      };
      // SMPP 3.4 §4.8.1 query_sm; message_state and error_code come back in query_sm_resp.
      const written = session.query_sm({ ...fields }, (resp) => {
        const state = typeof resp.message_state === 'number' ? resp.message_state : undefined;
        const error = typeof resp.error_code === 'number' ? resp.error_code : undefined;
        settle({ kind: 'answered', status: resp.command_status, ...(state === undefined ? {} : { messageState: state }), ...(error ? { errorCode: error } : {}) });
      });
      if (!written) settle({ kind: 'not_sent', detail: 'The socket is not writable' });
      else setTimer(timer, () => settle({ kind: 'no_answer', detail: `No query_sm_resp within ${options.responseTimeoutMs} ms` }), options.responseTimeoutMs);
    });

  /** Runs `use` on the bound link once the window has room; a link that is not (or no longer) bound sends nothing. */
  const onBoundLink = async <T>(use: (session: smpp.Session) => Promise<T>): Promise<T | NotSent> => {
    if (state !== 'bound') return { kind: 'not_sent', detail: `The link is ${state}` };
    await window.acquire();
    const session = link;
    if (state !== 'bound' || !session) {
      window.release();
      return { kind: 'not_sent', detail: `The link is ${state}` };
    }
    return use(session);
  };

  return {
    state: () => state,
    async ready() {
      if (state === 'idle') open();
      while (state === 'connecting') await nextState();
      if (state === 'bound') return { ok: true };
      const readiness: Readiness = { ok: false, ...(failure ? { failure } : {}) };
      if (state === 'waiting') readiness.retryInMs = Math.max(0, reconnectAt - deps.clock.now().getTime());
      return readiness;
    },
    submit: (fields, onAnswered) => onBoundLink((session) => send(session, fields, onAnswered)),
    query: (fields) => onBoundLink((session) => query(session, fields)),
    async close() {
      if (state === 'closed') return;
      const session = link;
      const wasBound = state === 'bound';
      setState('closed');
      for (const name of [...handles.keys()].filter((key) => !key.startsWith('submit:'))) clearTimer(name);
      if (session && wasBound) {
        // SMPP 3.4 §4.2 unbind: lets the SMSC stop routing deliver_sm here before the socket goes.
        await new Promise<void>((resolve) => {
          setTimer('unbind', resolve, options.responseTimeoutMs);
          if (!session.unbind({}, () => resolve())) resolve();
        });
        clearTimer('unbind');
      }
      generation++;
      link = undefined;
      failPending('The gateway was closed before the SMSC answered');
      session?.destroy();
    },
  };
}
