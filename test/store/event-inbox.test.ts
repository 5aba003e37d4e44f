import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { EventInbox, inboxPath } from '../../src/store/lowdb/event-inbox.js';
import type { EventInboxOptions } from '../../src/store/lowdb/event-inbox.js';

interface Ev {
  key: string;
  text?: string;
}

let dir: string;
let file: string;
const opened: EventInbox<Ev>[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-inbox-'));
  file = inboxPath(dir);
});
afterEach(async () => {
  for (const inbox of opened.splice(0)) await inbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openInbox(options: EventInboxOptions = {}): Promise<EventInbox<Ev>> {
  const inbox = await EventInbox.open<Ev>(file, { clock: fixedClock('2026-11-27T10:00:00.000Z'), ...options });
  opened.push(inbox);
  return inbox;
}

const events = (from: number, count: number): Ev[] => Array.from({ length: count }, (_, i) => ({ key: `k${from + i}` }));

function fileLines(): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

describe('EventInbox', () => {
  it('creates <dataDir>/inbox/events.jsonl and appends JSON lines', async () => {
    const inbox = await openInbox();
    expect(fs.existsSync(file)).toBe(true);
    expect(await inbox.append([{ key: 'a', text: 'стоп\n"quoted"' }, { key: 'b' }])).toEqual([1, 2]);
    expect(await inbox.append([{ key: 'c' }])).toEqual([3]);
    expect(await inbox.append([])).toEqual([]);
    expect(fileLines().map((line) => JSON.parse(line) as unknown)).toEqual([
      { seq: 1, at: '2026-11-27T10:00:00.000Z', event: { key: 'a', text: 'стоп\n"quoted"' } },
      { seq: 2, at: '2026-11-27T10:00:00.000Z', event: { key: 'b' } },
      { seq: 3, at: '2026-11-27T10:00:00.000Z', event: { key: 'c' } },
    ]);
  });

  it('reads after a seq in order and in batches, commits, and keeps seq and cursor across a reopen', async () => {
    const inbox = await openInbox();
    await inbox.append(events(1, 10));
    expect(inbox.cursor()).toBe(0);
    const first = await inbox.readAfter(inbox.cursor(), 4);
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(first[0]).toEqual({ seq: 1, at: '2026-11-27T10:00:00.000Z', event: { key: 'k1' } });
    await inbox.commit(4);
    expect(inbox.cursor()).toBe(4);
    expect((await inbox.readAfter(inbox.cursor(), 100)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(await inbox.readAfter(10, 100)).toEqual([]);
    expect(await inbox.readAfter(0, 0)).toEqual([]);
    await inbox.commit(2); // going back is a no-op
    expect(inbox.cursor()).toBe(4);
    await expect(inbox.commit(11)).rejects.toThrow(/last durable seq is 10/);
    await inbox.close();
    opened.length = 0;

    const again = await openInbox();
    expect(again.cursor()).toBe(4);
    expect(JSON.parse(fs.readFileSync(`${file}.cursor`, 'utf8'))).toEqual({ cursor: 4 });
    expect((await again.readAfter(again.cursor(), 2)).map((e) => e.event.key)).toEqual(['k5', 'k6']);
    expect(await again.append(events(11, 2))).toEqual([11, 12]);
  });

  it('continues seqs from the cursor when the file has been compacted empty', async () => {
    const inbox = await openInbox({ compactMinBytes: 0 });
    await inbox.append(events(1, 5));
    await inbox.commit(5);
    expect(await inbox.compact()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    await inbox.close();
    opened.length = 0;
    const again = await openInbox();
    expect(await again.append(events(6, 1))).toEqual([6]);
  });

  it('group-commits 200 concurrent appends into a few fdatasyncs, all durable', async () => {
    const syncs: number[] = [];
    const inbox = await openInbox({ onSync: ({ events: n }) => syncs.push(n) });
    const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => inbox.append([{ key: `k${i}` }])));
    expect(seqs.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(syncs.length).toBeGreaterThanOrEqual(1);
    expect(syncs.length).toBeLessThanOrEqual(3);
    expect(syncs.reduce((a, b) => a + b, 0)).toBe(200);
    // Durable means on disk before the promise resolved: a second reader sees all of it.
    expect(fileLines()).toHaveLength(200);
    expect((await inbox.readAfter(0, 1000)).map((e) => e.event.key)).toEqual(Array.from({ length: 200 }, (_, i) => `k${i}`));
  });

  it('keeps batching while writes are running: 200 appenders × 5 rounds need far fewer syncs than appends', async () => {
    let syncs = 0;
    const inbox = await openInbox({ onSync: () => (syncs += 1) });
    const appender = async (id: number): Promise<number[]> => {
      const mine: number[] = [];
      for (let round = 0; round < 5; round += 1) mine.push(...(await inbox.append([{ key: `a${id}-${round}` }])));
      return mine;
    };
    const all = (await Promise.all(Array.from({ length: 200 }, (_, i) => appender(i)))).flat();
    expect(new Set(all).size).toBe(1000);
    expect(syncs).toBeLessThanOrEqual(20);
    expect(fileLines()).toHaveLength(1000);
  });

  it('ignores and truncates a torn last line left by a crash mid-append', async () => {
    const inbox = await openInbox();
    await inbox.append(events(1, 3));
    await inbox.close();
    opened.length = 0;
    fs.appendFileSync(file, '{"seq":4,"at":"2026-11-27T10:00:00.000Z","event":{"ke');
    const again = await openInbox();
    expect((await again.readAfter(0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(fs.readFileSync(file, 'utf8').endsWith('"event":{"key":"k3"}}\n')).toBe(true);
    expect(await again.append(events(4, 1))).toEqual([4]);
    expect(fileLines().map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
  });

  it('drops a complete-looking but unparsable tail (zeros after a crash) too', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"seq":1,"at":"x","event":{"key":"k1"}}\n\u0000\u0000\u0000\n\u0000\u0000');
    const inbox = await openInbox();
    expect((await inbox.readAfter(0, 10)).map((e) => e.seq)).toEqual([1]);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"seq":1,"at":"x","event":{"key":"k1"}}\n');
  });

  it('refuses a file with a bad line in the middle instead of silently dropping events', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"seq":1,"at":"x","event":{}}\nnot json\n{"seq":2,"at":"x","event":{}}\n');
    await expect(EventInbox.open(file)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    fs.writeFileSync(file, '{"seq":2,"at":"x","event":{}}\n{"seq":1,"at":"x","event":{}}\n');
    await expect(EventInbox.open(file)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('compaction keeps the unprocessed entries, their seqs and reads after it', async () => {
    const inbox = await openInbox({ compactMinBytes: 0 });
    await inbox.append(events(1, 10));
    expect(await inbox.compact()).toBe(false); // nothing processed
    await inbox.commit(3);
    expect(await inbox.compact()).toBe(false); // processed prefix smaller than the rest: not worth it
    await inbox.commit(7);
    expect(await inbox.compact()).toBe(true);
    expect(fileLines().map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([8, 9, 10]);
    expect((await inbox.readAfter(inbox.cursor(), 10)).map((e) => e.event.key)).toEqual(['k8', 'k9', 'k10']);
    expect((await inbox.readAfter(0, 10)).map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(await inbox.append(events(11, 1))).toEqual([11]); // appends go to the new file
    expect(fileLines()).toHaveLength(4);
    await inbox.close();
    opened.length = 0;
    const again = await openInbox();
    expect(again.cursor()).toBe(7);
    expect((await again.readAfter(again.cursor(), 10)).map((e) => e.seq)).toEqual([8, 9, 10, 11]);
  });

  it('compacts only when the processed prefix reaches compactMinBytes', async () => {
    const inbox = await openInbox({ compactMinBytes: 1 << 20 });
    await inbox.append(events(1, 10));
    await inbox.commit(10);
    expect(await inbox.compact()).toBe(false);
    expect(fileLines()).toHaveLength(10);
  });

  it('reads correctly across many checkpoints in a file larger than the read chunk', async () => {
    const inbox = await openInbox({ compactMinBytes: 0 });
    const text = 'x'.repeat(300);
    for (let round = 0; round < 10; round += 1) {
      await inbox.append(Array.from({ length: 200 }, (_, i) => ({ key: `k${round * 200 + i + 1}`, text })));
    }
    for (const after of [0, 1, 217, 999, 1000, 1500, 1999]) {
      const got = await inbox.readAfter(after, 3);
      expect(got.map((e) => e.seq)).toEqual([after + 1, after + 2, after + 3].filter((seq) => seq <= 2000));
      expect(got[0]?.event.key).toBe(`k${after + 1}`);
    }
    await inbox.commit(1500);
    expect(await inbox.compact()).toBe(true);
    for (const after of [0, 1500, 1600, 1997]) {
      const got = await inbox.readAfter(after, 3);
      expect(got.map((e) => e.seq)).toEqual([Math.max(after, 1500) + 1, Math.max(after, 1500) + 2, Math.max(after, 1500) + 3]);
    }
    await inbox.close();
    opened.length = 0;
    const again = await openInbox();
    expect((await again.readAfter(1800, 2)).map((e) => e.seq)).toEqual([1801, 1802]);
  });

  it('flushes pending appends on close and refuses appends afterwards', async () => {
    const inbox = await EventInbox.open<Ev>(file);
    const pending = inbox.append(events(1, 3));
    await inbox.close();
    expect(await pending).toEqual([1, 2, 3]);
    expect(fileLines()).toHaveLength(3);
    await expect(inbox.append(events(4, 1))).rejects.toThrow(/closed/);
  });

  it('rejects an event that JSON cannot hold', async () => {
    const inbox = await EventInbox.open<unknown>(file);
    await expect(inbox.append([undefined])).rejects.toThrow(TypeError);
    expect(await inbox.append([{ ok: true }])).toEqual([1]);
    await inbox.close();
  });

  it('fails loudly on a corrupt cursor file', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.cursor`, 'garbage');
    await expect(EventInbox.open(file)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});
