/**
 * A fast reader for the plain CSV most exports are: cells without quotes, or quoted whole ("…", with ""
 * for a quote, line breaks allowed inside). Over that subset csv-parse (with the options read-csv.ts
 * gives it) yields exactly the same records, and this reader yields them several times faster: a line
 * without quotes is split with one native call. At the first record outside the subset (a quote in the
 * middle of a cell, text after a closing quote, a record past the size limit, an unclosed quote) it
 * stops, and the caller hands the rest of the text, from that record on, to csv-parse.
 */

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * V8 cuts a substring of 13 or more characters as a view into the string it came from, which it then
 * keeps alive: a name or an e-mail kept in the store would hold the whole 64 KB chunk of the file it was
 * read from. Such cells are copied (a concatenation, flattened when it is sliced); shorter ones are
 * copies already.
 */
function ownCells(line: string, delimiter: string): string[] {
  const cells = line.split(delimiter);
  for (let i = 0; i < cells.length; i += 1) if ((cells[i] as string).length >= 13) cells[i] = own(cells[i] as string);
  return cells;
}

function own(cell: string): string {
  return cell.length < 13 ? cell : (cell + ' ').slice(0, -1);
}

export interface PlainChunk {
  records: string[][];
  /** Where the first record not taken starts: the caller keeps the text from here on. */
  consumed: number;
  /** True when that record is outside the subset: csv-parse reads from there on. */
  stop: boolean;
}

/**
 * Reads the records of `text` from its start. `recordDelimiter` is the line break in use ('' while
 * unknown: the first one met outside quotes decides, as csv-parse decides). `eof`: no text follows, so a
 * last record without a line break is complete. A record cut by the end of `text` is left for the next
 * call (with more text), as is one whose line break might be a CR LF cut in two.
 */
export class PlainCsv {
  recordDelimiter = '';

  constructor(
    private readonly delimiter: string,
    /** Records longer than this (in UTF-16 units) are left to csv-parse, which enforces its size limit. */
    private readonly maxRecordChars: number,
  ) {}

  read(text: string, eof: boolean): PlainChunk {
    const records: string[][] = [];
    let start = 0;
    while (start < text.length) {
      const end = this.lineEnd(text, start, eof);
      if (end === undefined) return { records, consumed: start, stop: text.length - start > this.maxRecordChars };
      if (end === -1) return { records, consumed: start, stop: true };
      const line = text.slice(start, end);
      if (line.length > this.maxRecordChars) return { records, consumed: start, stop: true };
      if (line.indexOf('"') === -1) {
        // csv-parse ends the text without a last record that is blank (all of it trimmed away).
        if (end < text.length || line.trim() !== '' || line.includes(this.delimiter)) records.push(ownCells(line, this.delimiter));
        start = end + this.recordDelimiter.length;
        continue;
      }
      const quoted = this.quotedRecord(text, start, eof);
      if (quoted === undefined) return { records, consumed: start, stop: text.length - start > this.maxRecordChars };
      if (quoted === null) return { records, consumed: start, stop: true };
      records.push(quoted.cells.map(own));
      start = quoted.next;
    }
    return { records, consumed: start, stop: false };
  }

  /**
   * Where the line starting at `from` ends (the index of its line break, or the text's end at eof);
   * undefined: more text is needed; -1: the line break cannot be told (a lone CR at the start of
   * detection is left to csv-parse).
   */
  private lineEnd(text: string, from: number, eof: boolean): number | undefined {
    if (this.recordDelimiter !== '') {
      const end = text.indexOf(this.recordDelimiter, from);
      return end === -1 ? (eof ? text.length : undefined) : end;
    }
    // Not known yet: the first CR or LF outside quotes decides (CR LF, else LF, else CR).
    for (let i = from; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) return this.quotedLineEnd(text, i, eof);
      if (code === LF) {
        this.recordDelimiter = '\n';
        return i;
      }
      if (code === CR) {
        if (i + 1 >= text.length && !eof) return undefined;
        this.recordDelimiter = text.charCodeAt(i + 1) === LF ? '\r\n' : '\r';
        return i;
      }
    }
    return eof ? text.length : undefined;
  }

  /** A quote met while the line break is unknown: the line is read by quotedRecord, which learns it. */
  private quotedLineEnd(text: string, quoteAt: number, eof: boolean): number | undefined {
    // Anything but -1 or undefined sends the caller to quotedRecord (the line holds a quote).
    const close = text.indexOf('\n', quoteAt);
    if (close === -1 && !eof) return undefined;
    return close === -1 ? text.length : Math.max(close, quoteAt + 1);
  }

  /**
   * A record holding quotes, read cell by cell from `from`: null when it leaves the subset, undefined
   * when the text ends before the record does.
   */
  private quotedRecord(text: string, from: number, eof: boolean): { cells: string[]; next: number } | null | undefined {
    const cells: string[] = [];
    let p = from;
    for (;;) {
      if (p - from > this.maxRecordChars) return null;
      let cell: string;
      if (text.charCodeAt(p) === QUOTE) {
        cell = '';
        let q = p + 1;
        for (;;) {
          const close = text.indexOf('"', q);
          if (close === -1) return eof ? null : undefined;
          if (close + 1 >= text.length && !eof) return undefined;
          if (text.charCodeAt(close + 1) === QUOTE) {
            cell += text.slice(q, close + 1);
            q = close + 2;
            continue;
          }
          cell += text.slice(q, close);
          p = close + 1;
          break;
        }
        if (p - from > this.maxRecordChars) return null;
      } else {
        let q = p;
        while (q < text.length) {
          const code = text.charCodeAt(q);
          if (code === QUOTE) return null;
          if (text.startsWith(this.delimiter, q) || code === CR || code === LF) break;
          q += 1;
        }
        cell = text.slice(p, q);
        p = q;
      }
      cells.push(cell);
      // After a cell: a delimiter, a line break or the end of the text.
      if (p >= text.length) return eof ? { cells, next: p } : undefined;
      if (text.startsWith(this.delimiter, p)) {
        p += this.delimiter.length;
        continue;
      }
      const code = text.charCodeAt(p);
      if (code !== CR && code !== LF) return null;
      if (this.recordDelimiter === '') {
        if (code === CR && p + 1 >= text.length && !eof) return undefined;
        this.recordDelimiter = code === LF ? '\n' : text.charCodeAt(p + 1) === LF ? '\r\n' : '\r';
      }
      // A line break other than the one in use is text in csv-parse's eyes: not in the subset.
      if (!text.startsWith(this.recordDelimiter, p)) {
        if (text.length - p < this.recordDelimiter.length && !eof) return undefined;
        return null;
      }
      return { cells, next: p + this.recordDelimiter.length };
    }
  }
}
