import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../../common/errors.js';

export const LOCK_SOCKET = 'smsbridge.sock';

/** Longest socket path bind() takes (sun_path is 108 bytes on Linux, 104 on macOS, with its NUL). */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/** Data dirs locked by this process. */
const heldHere = new Set<string>();

/**
 * Takes the data dir's lock: a Unix socket bound in the data dir and listened on for as long as the
 * store is open. The kernel closes it when the process ends in any way (SIGKILL, a crash, a zombie
 * nobody reaps), so a connect that is refused proves the last holder dead, whatever became of its pid.
 * A connect that succeeds proves a live holder; it answers with its pid for the error message.
 */
export async function acquireDataDirLock(dataDir: string): Promise<() => void> {
  const dir = path.resolve(dataDir);
  const socketFile = path.join(dir, LOCK_SOCKET);
  if (heldHere.has(dir)) {
    throw new AppError('STORE_LOCKED', `The data directory ${dataDir} is already open in this process.`, {
      hint: 'Close the open store before opening it again.',
    });
  }
  const address = socketAddress(dir);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const server = await listen(address.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw lockError(dataDir, error);
      return undefined;
    });
    if (server) {
      heldHere.add(dir);
      server.unref();
      const release = (): void => {
        process.removeListener('exit', release);
        if (!heldHere.delete(dir)) return;
        server.close();
        fs.rmSync(socketFile, { force: true });
        address.close();
      };
      process.on('exit', release);
      return release;
    }
    const holder = await probe(address.path);
    if (holder.alive) {
      address.close();
      const who = holder.pid ? `Another sms-bridge process (pid ${holder.pid})` : 'Another sms-bridge process';
      throw new AppError('STORE_LOCKED', `${who} is using the data directory ${dataDir}.`, {
        hint: 'Read-only commands (contacts list/show, campaign report, doctor) still work. To change data, use the running service (its REST API) or stop it first.',
        retryable: true,
      });
    }
    // Nobody listens: the socket file was left by a process that is gone.
    fs.rmSync(socketFile, { force: true });
  }
  address.close();
  throw new AppError('STORE_LOCKED', `Could not take the lock ${socketFile}.`, { hint: 'Another process keeps taking it; check what else uses this data directory.' });
}

/**
 * The path to bind. A data dir too deep for sun_path is reached on Linux through the process's own
 * open descriptor of it (/proc/self/fd/N/smsbridge.sock), which names the same file in a few bytes.
 */
function socketAddress(dir: string): { path: string; close(): void } {
  const full = path.join(dir, LOCK_SOCKET);
  if (Buffer.byteLength(full) <= MAX_SOCKET_PATH) return { path: full, close: () => undefined };
  if (process.platform !== 'linux') {
    throw new AppError('CONFIG_INVALID', `DATA_DIR ${dir} is too long a path for its lock socket (${Buffer.byteLength(full)} bytes, at most ${MAX_SOCKET_PATH}).`, {
      hint: 'Use a shorter DATA_DIR, or a symbolic link with a short name pointing to it.',
    });
  }
  const fd = fs.openSync(dir, 'r');
  let open = true;
  return {
    path: `/proc/self/fd/${fd}/${LOCK_SOCKET}`,
    close: () => {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

function listen(socketPath: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      // A prober that goes away early must never take the service down with an unhandled error.
      socket.on('error', () => undefined);
      socket.end(`${process.pid}\n`);
    });
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}

type ProbeResult = { state: 'free' } | { state: 'held'; pid?: number } | { state: 'closing' };

/**
 * Asks the lock socket who holds it, until it gets a clear answer: refused means no live holder; a pid
 * (or a connection kept open but unanswered: a busy holder) means held. A connection dropped without a
 * pid is a holder in the middle of dying: its other threads can still hold the socket a moment after
 * the process is reported dead, so it asks again.
 */
async function probe(socketPath: string): Promise<{ alive: boolean; pid?: number }> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const result = await probeOnce(socketPath);
    if (result.state === 'free') return { alive: false };
    if (result.state === 'held') return { alive: true, ...(result.pid ? { pid: result.pid } : {}) };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { alive: true };
}

function probeOnce(socketPath: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    let text = '';
    let connected = false;
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const answered = (): ProbeResult => {
      const pid = Number.parseInt(text, 10);
      return Number.isInteger(pid) ? { state: 'held', pid } : { state: 'closing' };
    };
    // A holder whose event loop is busy is still alive: its kernel accepted the connection.
    const timer = setTimeout(() => finish({ state: 'held' }), 2_000);
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('end', () => finish(answered()));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // ECONNREFUSED: a socket file nobody listens on. ENOENT: it was removed meanwhile.
      if (connected) finish(answered());
      else finish(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? { state: 'free' } : { state: 'held' });
    });
  });
}

function lockError(dataDir: string, cause: NodeJS.ErrnoException): AppError {
  return new AppError('STORE_LOCKED', `Could not take the lock of the data directory ${dataDir} (${cause.code ?? cause.message}).`, {
    hint: 'Check that the directory exists and that this user may create files in it.',
    cause,
  });
}
