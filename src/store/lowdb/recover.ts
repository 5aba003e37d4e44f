import { copyFile, readdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import type { OutboxMessage } from '../../delivery/outbox.js';
import { PARTITION_FILE } from './outbox-files.js';
import { readSnapshot, snapshotPath, writeSnapshot } from './outbox-snapshot.js';
import { ChunkedJsonFile } from './chunked-json-file.js';
import { salvageEnvelope } from './json-salvage.js';
import { scanJournal } from './journal-scan.js';
import { COLLECTION_FILES } from './lowdb-store.js';
import { inboxPath } from './event-inbox.js';

/** One damaged file and what recovering it keeps, loses and marks unknown. */
export interface DamagedFile {
  file: string;
  kind: 'collection' | 'collection-journal' | 'outbox-snapshot' | 'outbox-journal' | 'event-inbox';
  /** Byte offsets where damage starts. */
  damageAt: number[];
  /** Readable records kept. */
  kept: number;
  /** Outbox rows the damaged records might have changed, set to `unknown` so they are never sent again. */
  unknownRows: string[];
  /** Event inbox only: receipts or replies that were acknowledged to the gateway and cannot be read. */
  lostEvents?: number;
}

interface Image {
  row: OutboxMessage;
  /** Where the image was read: [journal generation, line]; the snapshot is [-1, 0]. */
  at: [number, number];
}

const SENDABLE: ReadonlySet<OutboxMessage['status']> = new Set(['queued', 'sending']);

/** Finds every damaged file of the embedded store; reads only. */
export async function findDamage(dataDir: string): Promise<DamagedFile[]> {
  return (await inspect(dataDir)).map(({ report }) => report);
}

/**
 * Recovers the damaged files: each is copied to `<file>.damaged-<stamp>` first, then rewritten with
 * every readable record. Outbox rows a damaged journal line might have changed (claimed, sent) and
 * that would be sendable again become `unknown`; nothing is ever put back to `queued`. The caller
 * holds the data dir's lock.
 */
export async function recoverDamage(dataDir: string, now: Date): Promise<DamagedFile[]> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const found = await inspect(dataDir);
  for (const { report, repaired } of found) {
    await copyFile(report.file, `${report.file}.damaged-${stamp}`);
    await repaired(now);
  }
  return found.map(({ report }) => report);
}

async function inspect(dataDir: string): Promise<Array<{ report: DamagedFile; repaired: (now: Date) => Promise<void> }>> {
  const found: Array<{ report: DamagedFile; repaired: (now: Date) => Promise<void> }> = [];
  for (const name of Object.values(COLLECTION_FILES)) {
    const file = path.join(dataDir, name);
    const salvage = await salvageFile(file);
    if (!salvage || salvage.damage.length === 0) continue;
    found.push({
      report: { file, kind: 'collection', damageAt: salvage.damage, kept: salvage.items.length, unknownRows: [] },
      repaired: () => new ChunkedJsonFile<unknown>(file).write({ version: 1, items: salvage.items }),
    });
  }
  // Contacts and consent journals: damaged lines dropped, every readable line kept in order.
  for (const name of (await readdir(dataDir).catch(() => [] as string[])).filter((entry) => /^(?:contacts|consent)\.\d+\.jsonl$/.test(entry)).sort()) {
    const file = path.join(dataDir, name);
    const bytes = await readFile(file);
    const scan = scanJournal<unknown>(bytes);
    if (scan.damaged.length === 0) continue;
    found.push({
      report: { file, kind: 'collection-journal', damageAt: scan.damaged.map((d) => d.offset), kept: scan.records.length, unknownRows: [] },
      repaired: () => rewriteJournal(file, goodLines(bytes, scan as ReturnType<typeof scanJournal<OutboxMessage>>), []),
    });
  }
  const inbox = await inspectInbox(inboxPath(dataDir));
  if (inbox) found.push(inbox);
  const outbox = path.join(dataDir, 'outbox');
  if (!fs.existsSync(outbox)) return found;
  const names = await readdir(outbox);
  const campaigns = new Set(names.map((name) => PARTITION_FILE.exec(name)?.[1]).filter((id): id is string => Boolean(id)));
  for (const campaignId of campaigns) found.push(...(await inspectPartition(outbox, campaignId, names)));
  return found;
}

async function salvageFile(file: string): Promise<ReturnType<typeof salvageEnvelope> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    JSON.parse(text);
    return { items: [], damage: [] };
  } catch {
    return salvageEnvelope(text);
  }
}

/** One campaign's snapshot and journals, replayed as the store would, noting where each row's latest image came from. */
async function inspectPartition(dir: string, campaignId: string, names: string[]): Promise<Array<{ report: DamagedFile; repaired: (now: Date) => Promise<void> }>> {
  const found: Array<{ report: DamagedFile; repaired: (now: Date) => Promise<void> }> = [];
  const latest = new Map<string, Image>();
  const snapshotFile = path.join(dir, `${campaignId}.json`);
  const compactFile = snapshotPath(dir, campaignId);
  const compact = await readSnapshot(compactFile, { salvage: true });
  const snapshot = compact ? undefined : await salvageFile(snapshotFile);
  const gens = names.map((name) => new RegExp(`^${campaignId}\\.(\\d+)\\.jsonl$`).exec(name)?.[1]).filter((g): g is string => g !== undefined).map(Number).sort((a, b) => a - b);
  let from = 0;
  if (compact) {
    from = compact.journalGen;
    for (const row of compact.rows) latest.set(row.id, { row, at: [-1, 0] });
    if (compact.damagedAtLine !== undefined) {
      const { journalGen, rows } = compact;
      found.push({
        report: { file: compactFile, kind: 'outbox-snapshot', damageAt: [compact.damagedAtLine], kept: rows.length, unknownRows: [] },
        repaired: () => writeSnapshot(compactFile, journalGen, rows),
      });
    }
  }
  if (snapshot) {
    const whole = snapshot.damage.length === 0 ? (JSON.parse(await readFile(snapshotFile, 'utf8')) as { journalGen?: number; items: OutboxMessage[] }) : undefined;
    const items = (whole?.items ?? snapshot.items) as OutboxMessage[];
    from = whole?.journalGen ?? snapshot.journalGen ?? gens[0] ?? 0;
    for (const row of items) latest.set(row.id, { row, at: [-1, 0] });
    if (snapshot.damage.length > 0) {
      const journalGen = from;
      found.push({
        report: { file: snapshotFile, kind: 'outbox-snapshot', damageAt: snapshot.damage, kept: items.length, unknownRows: [] },
        repaired: () => new ChunkedJsonFile<OutboxMessage>(snapshotFile).write({ version: 1, journalGen, items } as { version: 1; items: OutboxMessage[] }),
      });
    }
  }
  const damagedLines: Array<{ gen: number; line: number; id: string | undefined }> = [];
  const journals: Array<{ file: string; gen: number; bytes: Buffer; scan: ReturnType<typeof scanJournal<OutboxMessage>> }> = [];
  for (const gen of gens.filter((g) => g >= from)) {
    const file = path.join(dir, `${campaignId}.${gen}.jsonl`);
    const bytes = await readFile(file);
    const scan = scanJournal<OutboxMessage>(bytes);
    scan.records.forEach((row, i) => latest.set(row.id, { row, at: [gen, scan.lineOf[i] as number] }));
    for (const damage of scan.damaged) damagedLines.push({ gen, line: damage.line, id: readableId(damage.text, campaignId) });
    if (scan.damaged.length > 0) journals.push({ file, gen, bytes, scan });
  }
  if (journals.length === 0) return found;
  const unknown = rowsToHold(latest, damagedLines);
  journals.forEach(({ file, bytes, scan }, index) => {
    // Every held row is written once, into the newest damaged journal, so it replays last.
    const held = index === journals.length - 1 ? unknown : [];
    found.push({
      report: { file, kind: 'outbox-journal', damageAt: scan.damaged.map((d) => d.offset), kept: scan.records.length, unknownRows: held.map((row) => row.id) },
      repaired: (now) => rewriteJournal(file, goodLines(bytes, scan), held.map((row) => ({ ...row, status: 'unknown' as const, updatedAt: now.toISOString() }))),
    });
  });
  return found;
}

/**
 * Rows a damaged line might have changed: those whose latest readable image is older than the damaged
 * line and that would be sendable (queued, or sending: a claim). A readable id narrows it to that row.
 */
function rowsToHold(latest: Map<string, Image>, damaged: Array<{ gen: number; line: number; id: string | undefined }>): OutboxMessage[] {
  const held = new Map<string, OutboxMessage>();
  for (const damage of damaged) {
    const named = damage.id === undefined ? undefined : latest.get(damage.id);
    const candidates = named ? [named] : [...latest.values()];
    for (const { row, at } of candidates) {
      const before = at[0] < damage.gen || (at[0] === damage.gen && at[1] < damage.line);
      if (before && SENDABLE.has(row.status)) held.set(row.id, row);
    }
  }
  return [...held.values()];
}

/** The row id of a damaged line, when the line still shows it and its campaign plainly. */
function readableId(text: string, campaignId: string): string | undefined {
  const id = /^\{"id":"([^"]+)","campaignId":"([^"]+)"/.exec(text);
  return id?.[2] === campaignId ? id[1] : undefined;
}

function goodLines(bytes: Buffer, scan: ReturnType<typeof scanJournal<OutboxMessage>>): string {
  const bad = new Set(scan.damaged.map((d) => d.offset));
  const kept: string[] = [];
  let offset = 0;
  while (offset < scan.goodEnd) {
    const newline = bytes.indexOf(0x0a, offset);
    const end = newline === -1 ? scan.goodEnd : newline + 1;
    if (!bad.has(offset)) kept.push(bytes.toString('utf8', offset, end));
    offset = end;
  }
  return kept.join('');
}

async function rewriteJournal(file: string, kept: string, appended: OutboxMessage[]): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  await writeFile(temp, kept + appended.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const handle = await open(temp, 'r+');
  await handle.sync();
  await handle.close();
  await rename(temp, file);
}

/**
 * The event inbox: damaged lines (and lines out of seq order) are dropped and counted, good lines kept
 * in order. Those events were acknowledged to the gateway, so the count is reported: a lost receipt
 * leaves its message `submitted`; a lost STOP must be recorded by hand.
 */
async function inspectInbox(file: string): Promise<{ report: DamagedFile; repaired: (now: Date) => Promise<void> } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const scan = scanJournal<{ seq?: unknown }>(bytes);
  let last = 0;
  const kept = scan.records.filter((entry) => {
    const ok = typeof entry.seq === 'number' && entry.seq > last;
    if (ok) last = entry.seq as number;
    return ok;
  });
  const lost = scan.damaged.length + scan.records.length - kept.length;
  if (lost === 0) return undefined;
  return {
    report: { file, kind: 'event-inbox', damageAt: scan.damaged.map((d) => d.offset), kept: kept.length, unknownRows: [], lostEvents: lost },
    repaired: () => rewriteJournal(file, kept.map((entry) => `${JSON.stringify(entry)}\n`).join(''), []),
  };
}
