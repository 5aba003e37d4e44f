import { isAppError } from '../common/errors.js';
import { maskPhonesInText } from '../common/mask.js';

/** Command output goes to stdout, and only command output: logs and progress go to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Renders rows as an aligned text table. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** One clear line (and a hint) for a failed command; the exit code says it failed. */
export function describeFailure(error: unknown): string {
  if (isAppError(error)) return maskPhonesInText(`error: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}`);
  if (error instanceof Error) return maskPhonesInText(`error: ${error.message}`);
  return `error: ${String(error)}`;
}

/** A progress bar on stderr, drawn only when stderr is a terminal. */
export function progressBar(label: string): { update(done: number, total: number, note?: string): void; end(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done, total, note = '') {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${note}`);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
