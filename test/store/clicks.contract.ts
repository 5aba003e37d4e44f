import { describe, expect, it } from 'vitest';
import type { ClickRecord } from '../../src/store/port.js';
import type { StoreHarness } from './store.contract.js';

const click = (over: Partial<ClickRecord> = {}): ClickRecord => ({
  id: `k${Math.random().toString(36).slice(2)}`, code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: 'ct1',
  url: 'https://shop.example/sale', at: '2026-11-27T10:00:00.000Z', human: true, userAgent: 'Mozilla/5.0', ...over,
});

/** Short links, clicks and holdouts: what click tracking and lift measurement keep. */
export function describeClicksContract(name: string, harness: StoreHarness): void {
  describe(`store contract (links, clicks, holdouts): ${name}`, () => {
    it('finds short links by code, unknown codes absent', async () => {
      const store = await harness.open();
      await store.links.insertMany([
        { code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: 'ct1', url: 'https://shop.example/sale' },
        { code: 'ZyXwVuTsRq', campaignId: 'c1', messageId: 'm2', url: 'https://shop.example/b' },
      ]);
      const found = await store.links.getMany(['AbCdEfGhJk', 'ZyXwVuTsRq', 'nope']);
      expect([...found.keys()].sort()).toEqual(['AbCdEfGhJk', 'ZyXwVuTsRq']);
      expect(found.get('AbCdEfGhJk')).toEqual({ code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: 'ct1', url: 'https://shop.example/sale' });
      expect(found.get('ZyXwVuTsRq')?.contactId).toBeUndefined();
      await store.close();
    });

    it('keeps every click, listed per campaign oldest first', async () => {
      const store = await harness.open();
      const late = click({ at: '2026-11-27T12:00:00.000Z' });
      const early = click({ at: '2026-11-27T09:00:00.000Z', human: false, userAgent: 'Slackbot-LinkExpanding 1.0' });
      const other = click({ campaignId: 'c2' });
      await store.clicks.append([late, other]);
      await store.clicks.append([early]);
      expect(await store.clicks.listByCampaign('c1')).toEqual([early, late]);
      expect(await store.clicks.listByCampaign('c2')).toEqual([other]);
      expect(await store.clicks.listByCampaign('none')).toEqual([]);
      await store.close();
    });

    it('saves holdouts by campaign id', async () => {
      const store = await harness.open();
      const record = { id: 'c1', contactIds: ['a', 'b'], percent: 5, at: '2026-11-27T10:00:00.000Z' };
      await store.holdouts.put(record);
      expect(await store.holdouts.get('c1')).toEqual(record);
      expect(await store.holdouts.get('c2')).toBeUndefined();
      await store.close();
    });

    it('redacts a contact\'s clicks and links on erasure, keeping counts and the redirect', async () => {
      const store = await harness.open();
      await store.links.insertMany([
        { code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: 'ct1', url: 'https://shop.example/sale' },
        { code: 'ZyXwVuTsRq', campaignId: 'c1', messageId: 'm2', contactId: 'ct2', url: 'https://shop.example/sale' },
      ]);
      await store.clicks.append([click({ contactId: 'ct1' }), click({ contactId: 'ct1', human: false }), click({ contactId: 'ct2', code: 'ZyXwVuTsRq', messageId: 'm2' })]);
      expect(await store.clicks.erase('ct1', 'erased:x')).toBe(2);
      expect(await store.links.erase('ct1', 'erased:x')).toBe(1);
      expect(await store.clicks.erase('nobody', 'erased:y')).toBe(0);
      const clicks = await store.clicks.listByCampaign('c1');
      expect(clicks.filter((c) => c.contactId === 'erased:x').map((c) => [c.human, c.userAgent, c.url]).sort()).toEqual([[false, undefined, 'https://shop.example/sale'], [true, undefined, 'https://shop.example/sale']]);
      expect(clicks.find((c) => c.contactId === 'ct2')?.userAgent).toBe('Mozilla/5.0');
      const links = await store.links.getMany(['AbCdEfGhJk', 'ZyXwVuTsRq']);
      expect([links.get('AbCdEfGhJk')?.contactId, links.get('ZyXwVuTsRq')?.contactId]).toEqual(['erased:x', 'ct2']);
      await store.close();
    });

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps links, clicks and holdouts across a restart', async () => {
        const store = await harness.open();
        const link = { code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: 'ct1', url: 'https://shop.example/sale' };
        const record = click();
        await store.links.insertMany([link]);
        await store.clicks.append([record]);
        await store.holdouts.put({ id: 'c1', contactIds: ['a'], percent: 10, at: record.at });
        const again = await reopen(store);
        expect((await again.links.getMany([link.code])).get(link.code)).toEqual(link);
        expect(await again.clicks.listByCampaign('c1')).toEqual([record]);
        expect((await again.holdouts.get('c1'))?.contactIds).toEqual(['a']);
        await again.close();
      });
    }
  });
}
