import { AppError } from '../../common/errors.js';

/** A line of a JSON-lines file that does not parse, with where it starts. */
export interface DamagedLine {
  /** Byte offset of the line's first byte. */
  offset: number;
  /** 1-based line number. */
  line: number;
  text: string;
}

export interface JournalScan<T> {
  records: T[];
  /** Bytes up to the end of the last good line: a torn tail past it was never acknowledged. */
  goodEnd: number;
  totalBytes: number;
  /** Unparsable lines followed by good ones: damage, not a crash mid-append. */
  damaged: DamagedLine[];
  /** Where each good record starts (line number), to tell what came before or after a damaged line. */
  lineOf: number[];
}

/**
 * Reads a JSON-lines journal. A crash mid-append can only tear its end (appends are fsynced in order),
 * so unparsable lines with no good line after them are a torn tail, dropped as never acknowledged; an
 * unparsable line followed by good ones is damage, reported with its byte offset.
 */
export function scanJournal<T>(bytes: Buffer): JournalScan<T> {
  const records: T[] = [];
  const lineOf: number[] = [];
  const bad: DamagedLine[] = [];
  const damaged: DamagedLine[] = [];
  let goodEnd = 0;
  let offset = 0;
  let line = 0;
  while (offset < bytes.length) {
    const newline = bytes.indexOf(0x0a, offset);
    const end = newline === -1 ? bytes.length : newline + 1;
    line += 1;
    const text = bytes.toString('utf8', offset, newline === -1 ? bytes.length : newline);
    const record = newline === -1 ? undefined : parseLine<T>(text);
    if (record === undefined) {
      if (text.trim() !== '' || newline === -1) bad.push({ offset, line, text });
    } else {
      // Every bad line seen so far lies before a good one: that is damage, not a torn tail.
      damaged.push(...bad.splice(0));
      records.push(record);
      lineOf.push(line);
      goodEnd = end;
    }
    offset = end;
  }
  return { records, goodEnd, totalBytes: bytes.length, damaged, lineOf };
}

function parseLine<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The start-up error for a damaged journal: the file, the byte, and the command that recovers it. */
export function damagedJournalError(file: string, damage: DamagedLine, count: number): AppError {
  const more = count > 1 ? ` (and ${count - 1} more damaged line${count > 2 ? 's' : ''})` : '';
  return new AppError('STORE_CORRUPT', `The outbox journal ${file} has a damaged line at byte ${damage.offset} (line ${damage.line})${more}, followed by good records.`, {
    hint: 'Nothing was changed. Stop the service and run: smsbridge store recover (it shows what it would do; add --yes to do it). It keeps a copy of the file, keeps every readable record and re-sends nothing.',
    details: { file, offset: damage.offset, line: damage.line, damagedLines: count },
  });
}
