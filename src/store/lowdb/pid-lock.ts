import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/errors.js';

export const LOCK_FILE = 'smsbridge.pid';

/** Data dirs locked by this process: a lock file with our own pid is stale unless it is listed here. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data dir's pid lock, so that a second process cannot write the same files (lowdb's
 * temp file name is fixed: two writers corrupt each other). A lock left by a dead process is taken over.
 */
export function acquirePidLock(dataDir: string): () => void {
  const lockPath = path.join(path.resolve(dataDir), LOCK_FILE);
  if (heldHere.has(lockPath)) {
    throw new AppError('STORE_LOCKED', `The data directory ${dataDir} is already open in this process.`, {
      hint: 'Close the open store before opening it again.',
    });
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(lockPath);
      const release = (): void => {
        process.removeListener('exit', release);
        heldHere.delete(lockPath);
        try {
          if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
      // A lock with our own pid that this process does not hold was left by an earlier process that had the same pid.
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new AppError('STORE_LOCKED', `Another sms-bridge process (pid ${holder}) is using the data directory ${dataDir}.`, {
          hint: 'Read-only commands (contacts list/show, doctor) still work. To change data, use the running service (its REST API) or stop it first.',
          retryable: true,
        });
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new AppError('STORE_LOCKED', `Could not take the lock ${lockPath}.`, { hint: 'Check the directory permissions.' });
}
