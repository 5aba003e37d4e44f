/**
 * The parts of npm `smpp` 0.5.1 (github farhadi/node-smpp, lib/smpp.js + lib/pdu.js + lib/defs.js)
 * this adapter and its tests use. The package ships no types and there is no @types/smpp.
 * Field values on a PDU depend on the command, so they are `unknown` and parsed with zod at the edge.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    type Fields = Record<string, unknown>;
    type ResponseCallback = (pdu: PDU) => void;
    /** Every PDU shortcut: `session.submit_sm(fields, onResponse, onWritten)`; false when the socket is not writable. */
    type Shortcut = (fields?: Fields, onResponse?: ResponseCallback, onWritten?: ResponseCallback) => boolean;

    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      isResponse(): boolean;
      /** The matching `<command>_resp` (generic_nack for an unknown command), same sequence number. */
      response(fields?: Fields): PDU;
      [field: string]: unknown;
    }

    interface Session extends EventEmitter {
      socket: Socket;
      send(pdu: PDU, onResponse?: ResponseCallback, onWritten?: ResponseCallback): boolean;
      bind_transceiver: Shortcut;
      submit_sm: Shortcut;
      query_sm: Shortcut;
      deliver_sm: Shortcut;
      enquire_link: Shortcut;
      unbind: Shortcut;
      generic_nack: Shortcut;
      /** Ends the socket (FIN); `callback` runs on 'close'. */
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host: string;
      port: number;
      /** ssmpp: the socket is opened with tls.connect, and 'secureConnect' follows 'connect'. */
      tls?: boolean;
      /** Uses setInterval (real timers); this adapter sends enquire_link itself instead. */
      auto_enquire_link_period?: number;
      [option: string]: unknown;
    }

    function connect(options: ConnectOptions, listener?: () => void): Session;
    function createServer(listener?: (session: Session) => void): Server;
    function createServer(options: Fields, listener?: (session: Session) => void): Server;

    const PDU: { new (command: string, fields?: Fields): PDU };
    const errors: Readonly<Record<string, number>>;
    const ESME_ROK: number;
    const ESME_RINVMSGLEN: number;
    const ESME_RSYSERR: number;
    const ESME_RINVSRCADR: number;
    const ESME_RINVDSTADR: number;
    const ESME_RBINDFAIL: number;
    const ESME_RINVPASWD: number;
    const ESME_RINVSYSID: number;
    const ESME_RMSGQFUL: number;
    const ESME_RSUBMITFAIL: number;
    const ESME_RTHROTTLED: number;
    const ESME_RX_T_APPN: number;
    const ESME_RINVCMDID: number;
    const ESM_CLASS: Readonly<{ MC_DELIVERY_RECEIPT: number; UDH_INDICATOR: number }>;
    const MESSAGE_STATE: Readonly<Record<'ENROUTE' | 'DELIVERED' | 'EXPIRED' | 'DELETED' | 'UNDELIVERABLE' | 'ACCEPTED' | 'UNKNOWN' | 'REJECTED', number>>;
    const REGISTERED_DELIVERY: Readonly<{ FINAL: number; FAILURE: number }>;
    const ENCODING: Readonly<{ SMSC_DEFAULT: number; ASCII: number; LATIN1: number; UCS2: number }>;
  }

  export = smpp;
}
