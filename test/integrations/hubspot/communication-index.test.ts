import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCommunicationIndex } from '../../../integrations/hubspot/communication-index.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('communication index', () => {
  it('keeps message → communication ids across a restart, and survives a torn last line', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-hs-index-'));
    const first = await openCommunicationIndex(dir);
    await first.put(new Map([['m-1', '901'], ['in:IN1', '902']]));
    await first.close();
    // A crash in the middle of the next append leaves half a line.
    fs.appendFileSync(path.join(dir, 'hubspot', 'communications.jsonl'), '{"k":"m-2","c":"9');
    const second = await openCommunicationIndex(dir);
    expect(second.get(['m-1', 'in:IN1', 'm-2'])).toEqual(new Map([['m-1', '901'], ['in:IN1', '902']]));
    await second.put(new Map([['m-3', '903']]));
    await second.close();
    const third = await openCommunicationIndex(dir);
    expect(third.get(['m-1', 'm-3'])).toEqual(new Map([['m-1', '901'], ['m-3', '903']]));
    await third.close();
  });
});
