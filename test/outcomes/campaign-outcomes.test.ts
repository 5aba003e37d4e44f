import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaigns/campaign.js';
import { CampaignReportBuilder } from '../../src/campaigns/report.js';
import { attachOutcomes } from '../../src/outcomes/attach-outcomes.js';
import { gatherOutcomes } from '../../src/outcomes/campaign-outcomes.js';
import type { ConversionRecord } from '../../src/outcomes/conversion.js';
import { formatOutcomes } from '../../src/outcomes/format-outcomes.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeOutboxRow } from '../helpers/factories.js';

const at = (day: number, hour = 12): string => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

const campaign: Campaign = {
  id: 'spring', name: 'Spring', status: 'completed', kind: 'marketing', audience: { filter: { and: [] } },
  variants: [{ name: 'A', text: 'a', weight: 1 }, { name: 'B', text: 'b', weight: 1 }], campaignVariables: {}, sender: 'SHOP', gateway: 'simulator',
  schedule: { type: 'now' }, createdAt: at(1), updatedAt: at(1),
};

/** 100 recipients per variant, all delivered but 10 of A undelivered; 20 contacts held out. */
async function scenario() {
  const store = new MemoryStore();
  const rows = Array.from({ length: 200 }, (_, i) => makeOutboxRow({
    campaignId: 'spring', contactId: `ct${i}`, variant: i < 100 ? 'A' : 'B', status: i < 10 ? 'undelivered' : 'delivered',
    submittedAt: at(2, 10), finalAt: at(2, 11), cost: 2,
  }));
  await store.outbox.insertMany([...rows, makeOutboxRow({ campaignId: 'spring', contactId: 'me', status: 'delivered', submittedAt: at(2), test: true })]);
  await store.holdouts.put({ id: 'spring', contactIds: Array.from({ length: 20 }, (_, i) => `held${i}`), percent: 9, at: at(2, 9) });
  const credit = (contactId: string, via: 'click' | 'message' | 'holdout', variant?: string) => ({ campaignId: 'spring', via, touchedAt: at(2, 10), ...(variant ? { variant } : {}) });
  const order = (id: string, contactId: string, amount: number, over: Partial<ConversionRecord> = {}): ConversionRecord => ({
    id, contactId, amount, currency: 'RUB', at: at(3), source: 'api', recordedAt: at(3), ...over,
  });
  await store.conversions.insertNew([
    // B converts 10 customers (one buys twice), A converts 2; one order in USD; 2 holdout contacts buy.
    ...Array.from({ length: 10 }, (_, i) => order(`b${i}`, `ct${100 + i}`, 1000, { attribution: credit(`ct${100 + i}`, 'message', 'B') })),
    order('b-again', 'ct100', 500, { attribution: credit('ct100', 'click', 'B') }),
    order('a1', 'ct50', 2000, { attribution: credit('ct50', 'message', 'A') }),
    order('a2', 'ct51', 30, { currency: 'USD', attribution: credit('ct51', 'message', 'A') }),
    order('h1', 'held1', 1000, { attribution: credit('held1', 'holdout') }),
    order('h2', 'held2', 1000, { attribution: credit('held2', 'holdout') }),
    // Converted within the window but credited elsewhere: still counts for lift.
    order('elsewhere', 'ct150', 100, { attribution: { campaignId: 'other', via: 'click', touchedAt: at(3) } }),
  ]);
  const click = (id: string, contactId: string, messageIndex: number, human = true) => ({
    id, code: `c${id}`, campaignId: 'spring', messageId: rows[messageIndex]?.id as string, contactId, url: 'https://shop.example', at: at(2, 12), human,
  });
  await store.clicks.append([click('1', 'ct100', 100), click('2', 'ct100', 100), click('3', 'ct101', 101), click('4', 'ct20', 20), click('5', 'ct21', 21, false)]);
  await store.inbound.append([
    { id: 'r1', at: at(2, 13), from: '+79120000001', contactId: 'ct20', text: 'ok', kind: 'reply', campaignId: 'spring', variant: 'A' },
    { id: 'r2', at: at(2, 13), from: '+79120000002', contactId: 'ct30', text: 'yes', kind: 'reply', campaignId: 'spring', variant: 'A' },
  ]);
  const builder = new CampaignReportBuilder(campaign, {}, { currency: 'RUB' });
  builder.addMessages(await store.outbox.listByCampaign('spring', { limit: 1000 }));
  builder.addInbound(await store.inbound.listByCampaign('spring'));
  return { store, report: builder.result() };
}

describe('outcome keys of the campaign report', () => {
  it('adds clicks, response, conversions, revenue, ROI and repeat purchases, keeping every delivery key', async () => {
    const { store, report } = await scenario();
    const gathered = await gatherOutcomes(campaign, report, { store, windowDays: 7, currency: 'RUB' });
    const full = attachOutcomes(report, gathered.outcomes, gathered.byVariant);
    for (const key of Object.keys(report)) expect(full, key).toHaveProperty(key);
    expect(full.delivered).toBe(190);
    expect(full.reached).toBe(190);
    expect(full.clicks).toEqual({ total: 4, unique: 3, rate: 3 / 190, fetchers: 1 });
    // ct100 and ct101 clicked, ct20 clicked and replied, ct30 replied.
    expect(full.response).toEqual({ recipients: 4, rate: 4 / 190 });
    expect(full.conversions).toEqual({ count: 13, customers: 12, rate: 12 / 190, holdout: 2 });
    expect(full.revenue).toEqual({ total: 12500, currency: 'RUB', perRecipient: Math.round((12500 / 190) * 100) / 100, perCustomer: Math.round((12500 / 12) * 100) / 100, otherCurrencies: { USD: 30 } });
    expect(full.roi).toEqual({ cost: 400, revenue: 12500, ratio: 31.25 });
    expect(full.repeatPurchase).toEqual({ customers: 1, rate: 1 / 12 });
    const [a, b] = full.variants;
    expect(a).toMatchObject({ name: 'A', delivered: 90, reached: 90, uniqueClicks: 1, customers: 2, conversions: 2, revenue: 2000, conversionRate: 2 / 90 });
    expect(b).toMatchObject({ name: 'B', reached: 100, clicks: 3, uniqueClicks: 2, customers: 10, conversions: 11, revenue: 10500, conversionRate: 0.1 });
    expect(full.abTests.conversion).toMatchObject({ leader: 'B', other: 'A', metric: 'conversionRate', significant: true });
    expect(full.abTests.replies).toMatchObject({ leader: 'A', metric: 'replyRate', significant: false });
    expect(full.attribution.windowDays).toBe(7);
    expect(formatOutcomes(full).join('\n')).toContain('ROI (revenue ÷ cost): 31.25×');
  });

  it('measures lift as everyone who converted in the window, sent against held out, whichever campaign got the credit', async () => {
    const { store, report } = await scenario();
    const { outcomes } = await gatherOutcomes(campaign, report, { store, windowDays: 7, currency: 'RUB' });
    // Sent: 200 contacts (undelivered included: intention to treat), 13 converted; held out: 20, 2 converted.
    expect(outcomes.lift?.sent).toEqual({ contacts: 200, converted: 13, rate: 13 / 200 });
    expect(outcomes.lift?.holdout).toEqual({ contacts: 20, converted: 2, rate: 0.1 });
    expect(outcomes.lift?.difference).toBeCloseTo(-0.035, 10);
    expect(outcomes.lift?.significant).toBe(false);
    expect(outcomes.lift?.method).toBe('newcombe-hybrid-score');
  });

  it('buckets the chart series and leaves out lift and survey when there is no holdout or survey', async () => {
    const store = new MemoryStore();
    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'spring', contactId: 'x', status: 'delivered', submittedAt: at(2, 10), finalAt: '2026-11-02T10:00:03.000Z', cost: 0 })]);
    const builder = new CampaignReportBuilder(campaign, {});
    builder.addMessages(await store.outbox.listByCampaign('spring', { limit: 10 }));
    const gathered = await gatherOutcomes(campaign, builder.result(), { store, windowDays: 7, currency: 'RUB' });
    expect(gathered.outcomes.lift).toBeUndefined();
    expect(gathered.outcomes.survey).toBeUndefined();
    expect(gathered.outcomes.roi.ratio).toBeNull();
    expect(gathered.series).toMatchObject({ bucket: 'minute', submitted: [1], delivered: [1], times: ['2026-11-02T10:00:00.000Z'] });
    expect(gathered.series.timeToDelivery.counts).toEqual([0, 1, 0, 0, 0, 0, 0]);
  });

  it('tallies a survey\'s replies into its options, by number or by word', async () => {
    const store = new MemoryStore();
    const surveyed: Campaign = { ...campaign, survey: { options: [{ key: '1', label: 'Отлично' }, { key: '2', label: 'Плохо' }] } };
    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'spring', contactId: 'x', status: 'delivered', submittedAt: at(2, 10) })]);
    await store.inbound.append([
      { id: 'r1', at: at(2, 13), from: '+79120000001', contactId: 'x', text: '1', kind: 'reply', campaignId: 'spring' },
      { id: 'r2', at: at(2, 14), from: '+79120000002', contactId: 'y', text: 'плохо!', kind: 'reply', campaignId: 'spring' },
      { id: 'r3', at: at(2, 15), from: '+79120000003', contactId: 'z', text: 'when is the sale?', kind: 'reply', campaignId: 'spring' },
    ]);
    const builder = new CampaignReportBuilder(surveyed, {});
    builder.addMessages(await store.outbox.listByCampaign('spring', { limit: 10 }));
    const { outcomes } = await gatherOutcomes(surveyed, builder.result(), { store, windowDays: 7, currency: 'RUB' });
    expect(outcomes.survey?.options).toEqual([{ key: '1', label: 'Отлично', count: 1 }, { key: '2', label: 'Плохо', count: 1 }]);
    expect(outcomes.survey?.other).toEqual([{ text: 'when is the sale?', at: at(2, 15) }]);
    expect(outcomes.survey?.voters).toBe(2);
  });
});
