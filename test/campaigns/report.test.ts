import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaigns/campaign.js';
import { formatCampaignReport } from '../../src/campaigns/report-format.js';
import type { InboundRecord } from '../../src/campaigns/report.js';
import { CampaignReportBuilder, failureCode, wasSubmitted } from '../../src/campaigns/report.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';

const T0 = Date.parse('2026-11-27T07:00:00.000Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

function makeCampaign(variants: readonly string[] = ['A', 'B'], overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'cmp-1', name: 'Black Friday', status: 'completed', kind: 'marketing', audience: { filter: { and: [] } },
    variants: variants.map((name) => ({ name, text: `Text ${name}`, weight: 1 })), campaignVariables: {},
    sender: 'SHOP', gateway: 'fake', schedule: { type: 'now' }, createdAt: at(-3_600_000), updatedAt: at(0), ...overrides,
  };
}

let counter = 0;

function makeRow(overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  counter += 1;
  const n = String(counter).padStart(6, '0');
  return {
    id: `m-${n}`, campaignId: 'cmp-1', contactId: `c-${n}`, phone: `+7912${n}0`, kind: 'marketing', variant: 'A', text: 'Hi',
    encoding: 'GSM-7', segments: 1, cost: 3.5, sender: 'SHOP', gateway: 'fake', sendAfter: at(0), status: 'queued', attempts: 0,
    createdAt: at(0), updatedAt: at(0), ...overrides,
  };
}

/** A row the gateway accepted at `sentOffset` and whose final receipt came `deliveryMs` later. */
function delivered(variant: string, sentOffset: number, deliveryMs: number, overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return makeRow({ variant, status: 'delivered', attempts: 1, providerMessageId: `p-${sentOffset}-${deliveryMs}`, submittedAt: at(sentOffset), finalAt: at(sentOffset + deliveryMs), ...overrides });
}

function inbound(overrides: Partial<InboundRecord> & Pick<InboundRecord, 'kind'>): InboundRecord {
  counter += 1;
  return { id: `in-${counter}`, at: at(600_000), from: `+7999${String(counter).padStart(7, '0')}`, text: 'ok', campaignId: 'cmp-1', ...overrides };
}

/** Every status, failures before and after submission, a test row, rows sent out of order. */
function scenario(): { rows: OutboxMessage[]; records: InboundRecord[]; testRow: OutboxMessage } {
  const a1 = delivered('A', 0, 2000);
  const a2 = delivered('A', 60_000, 4000, { segments: 2, cost: 7 });
  const testRow = delivered('A', 1000, 500, { test: true, cost: 100, segments: 9 });
  const rows = [
    a1, a2, testRow,
    makeRow({ variant: 'A', status: 'undelivered', submittedAt: at(5000), finalAt: at(9000), providerMessageId: 'p-u', errorCode: 'blocked' }),
    makeRow({ variant: 'A', status: 'failed', errorCode: 'invalid_number' }),
    makeRow({ variant: 'A', status: 'rejected', errorCode: 'opted_out' }),
    makeRow({ variant: 'B', status: 'expired', submittedAt: at(-60_000), finalAt: at(86_400_000), providerMessageId: 'p-e' }),
    makeRow({ variant: 'B', status: 'failed', submittedAt: at(3000), finalAt: at(6000), errorCode: 'unknown', providerCode: '30008' }),
    makeRow({ variant: 'B', status: 'failed', errorCode: 'invalid_number', providerCode: '21211' }),
    makeRow({ variant: 'B', status: 'queued' }),
    makeRow({ variant: 'B', status: 'sending', attemptId: 'att-1' }),
    makeRow({ variant: 'B', status: 'submitted', submittedAt: at(90_000), providerMessageId: 'p-s' }),
    makeRow({ variant: 'B', status: 'unknown', attemptId: 'att-2' }),
    makeRow({ variant: 'B', status: 'canceled' }),
    delivered('B', 120_000, 10_000, { cost: 3.333 }),
    makeRow({ campaignId: 'other', status: 'delivered', submittedAt: at(0), finalAt: at(1) }),
  ];
  const records = [
    inbound({ kind: 'reply', contactId: a1.contactId, messageId: a1.id }),
    inbound({ kind: 'reply', contactId: a1.contactId, messageId: a1.id, text: 'again' }),
    inbound({ kind: 'reply', contactId: 'c-x', variant: 'B' }),
    inbound({ kind: 'reply', contactId: 'c-z' }),
    inbound({ kind: 'opt_out', contactId: a2.contactId, messageId: a2.id, text: 'STOP' }),
    inbound({ kind: 'help', contactId: 'c-h', variant: 'A', text: 'HELP' }),
    inbound({ kind: 'opt_in', contactId: 'c-i', variant: 'B', text: 'START' }),
    inbound({ kind: 'reply', contactId: 'c-o', campaignId: 'other', variant: 'A' }),
    inbound({ kind: 'reply', contactId: 'c-t', messageId: testRow.id }),
  ];
  return { rows, records, testRow };
}

const EXCLUDED = { opted_out: 3, no_consent: 2 };

function build(campaign: Campaign, rows: OutboxMessage[], records: InboundRecord[]) {
  const builder = new CampaignReportBuilder(campaign, EXCLUDED, { currency: 'RUB' });
  builder.addMessages(rows);
  builder.addInbound(records);
  return builder.result();
}

describe('CampaignReportBuilder', () => {
  const { rows, records } = scenario();
  const report = build(makeCampaign(), rows, records);

  it('counts every status once, test rows and other campaigns aside', () => {
    expect(report).toMatchObject({
      id: 'cmp-1', name: 'Black Friday', status: 'completed', kind: 'marketing', currency: 'RUB',
      audience: 14 + 5, excluded: EXCLUDED,
      submitted: 7, delivered: 3, undelivered: 1, failed: 5, unknown: 1, pending: 3, canceled: 1,
    });
    const { delivered: d, undelivered, failed, unknown, pending, canceled } = report;
    expect(d + undelivered + failed + unknown + pending + canceled).toBe(14);
  });

  it('groups failed, rejected and expired by code, preferring a known code to the vendor code', () => {
    expect(report.failedByCode).toEqual({ invalid_number: 2, '30008': 1, expired: 1, opted_out: 1 });
    // Key order in JSON is not meaningful (integer-like vendor codes come first); the text report sorts by count.
  });

  it('charges segments and cost of submitted messages only, rounded to cents', () => {
    expect(report.segments).toBe(8);
    expect(report.cost).toBe(27.83);
    expect(report.variants.map((v) => [v.name, v.segments, v.cost])).toEqual([['A', 4, 14], ['B', 4, 13.83]]);
  });

  it('computes rates against submitted and delivered', () => {
    expect(report.deliveryRate).toBeCloseTo(3 / 7, 10);
    expect(report.replyRate).toBe(1);
  });

  it('counts distinct repliers; opt-outs apart; help, opt-in, other campaigns and test sends ignored', () => {
    expect(report.replies).toBe(3);
    expect(report.optOuts).toBe(1);
    const byName = Object.fromEntries(report.variants.map((v) => [v.name, v]));
    expect(byName.A).toMatchObject({ audience: 5, submitted: 3, delivered: 2, undelivered: 1, failed: 2, unknown: 0, pending: 0, replies: 1, optOuts: 1, replyRate: 0.5 });
    expect(byName.B).toMatchObject({ audience: 9, submitted: 4, delivered: 1, failed: 3, unknown: 1, pending: 3, replies: 1, optOuts: 0, deliveryRate: 0.25 });
  });

  it('reports the first and last send and delivery-time percentiles', () => {
    expect(report.firstSentAt).toBe(at(-60_000));
    expect(report.lastSentAt).toBe(at(120_000));
    // Delivered durations 2000, 4000, 10000: median 4000, p95 = 4000 + 0.9 × 6000.
    expect(report.timeToDelivery).toEqual({ medianMs: 4000, p95Ms: 9400, samples: 3 });
  });

  it('compares the two largest variants on reply rate when both have replies', () => {
    expect(report.abTest).toMatchObject({ leader: 'B', metric: 'replyRate', significant: false });
  });

  it('gives the same result streamed in pages, in any order, inbound first', () => {
    const builder = new CampaignReportBuilder(makeCampaign(), EXCLUDED, { currency: 'RUB' });
    builder.addInbound(records.slice(0, 4));
    for (let i = rows.length; i > 0; i -= 3) builder.addMessages(rows.slice(Math.max(0, i - 3), i));
    builder.addInbound(records.slice(4));
    builder.addMessages(rows.slice(0, 2)); // a page read twice: duplicates count once
    expect(builder.result()).toEqual(report);
  });

  it('returns a fresh snapshot each time and keeps counting afterwards', () => {
    const builder = new CampaignReportBuilder(makeCampaign(['A']), {});
    builder.addMessages([delivered('A', 0, 1000)]);
    const first = builder.result();
    builder.addMessages([delivered('A', 0, 3000)]);
    expect(first.delivered).toBe(1);
    expect(builder.result()).toMatchObject({ delivered: 2, timeToDelivery: { medianMs: 2000, samples: 2 } });
    expect(builder.result().abTest).toBeUndefined();
    expect(builder.result().currency).toBeUndefined();
  });

  it('reports an empty campaign with null rates and times', () => {
    const empty = new CampaignReportBuilder(makeCampaign(), { opted_out: 4 }).result();
    expect(empty).toMatchObject({ audience: 4, submitted: 0, deliveryRate: null, replyRate: null, firstSentAt: null, lastSentAt: null, timeToDelivery: { medianMs: null, p95Ms: null, samples: 0 } });
    expect(empty.variants.map((v) => v.name)).toEqual(['A', 'B']);
    expect(empty.abTest).toBeUndefined();
  });

  it('lists a variant found in rows but no longer in the campaign', () => {
    const result = build(makeCampaign(['A']), [delivered('A', 0, 1), delivered('Z', 0, 1)], []);
    expect(result.variants.map((v) => [v.name, v.audience])).toEqual([['A', 1], ['Z', 1]]);
  });

  it('serializes to JSON with the fields the CLI prints', () => {
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    for (const key of ['audience', 'excluded', 'submitted', 'delivered', 'failed', 'unknown', 'replies', 'optOuts', 'segments', 'cost', 'variants']) expect(json).toHaveProperty(key);
    expect((json.variants as unknown[]).length).toBe(2);
  });

  it('formats the key numbers', () => {
    const text = formatCampaignReport(report).join('\n');
    expect(text).toContain('Audience: 19 — planned 14, excluded 5 (opted_out 3, no_consent 2)');
    expect(text).toContain('failed 5 (invalid_number 2, 30008 1, expired 1, opted_out 1)');
    expect(text).toContain('Delivery rate: 42.9% · reply rate: 100.0%');
    expect(text).toContain('cost 27.83 RUB');
    expect(text).toContain('median 4.0 s, p95 9.4 s (3 delivered)');
  });
});

describe('row classification', () => {
  it('knows what the gateway took', () => {
    expect(wasSubmitted(makeRow({ status: 'expired' }))).toBe(true);
    expect(wasSubmitted(makeRow({ status: 'failed', submittedAt: at(0) }))).toBe(true);
    expect(wasSubmitted(makeRow({ status: 'failed' }))).toBe(false);
    expect(wasSubmitted(makeRow({ status: 'unknown' }))).toBe(false);
  });

  it('names failures', () => {
    expect(failureCode(makeRow({ status: 'expired', errorCode: 'unavailable' }))).toBe('expired');
    expect(failureCode(makeRow({ status: 'failed', errorCode: 'unknown' }))).toBe('unknown');
    expect(failureCode(makeRow({ status: 'rejected' }))).toBe('rejected');
  });
});

describe('A/B test through the builder', () => {
  function abCampaign(repliesA: number, repliesB: number, perVariant = 100) {
    const rows: OutboxMessage[] = [];
    const records: InboundRecord[] = [];
    for (const [variant, replies] of [['A', repliesA], ['B', repliesB]] as const) {
      for (let i = 0; i < perVariant; i += 1) {
        const row = delivered(variant, i * 1000, 1000);
        rows.push(row);
        if (i < replies) records.push(inbound({ kind: 'reply', contactId: row.contactId, messageId: row.id }));
      }
    }
    return build(makeCampaign(), rows, records);
  }

  it('calls a significant difference in reply rate', () => {
    const { abTest } = abCampaign(30, 45);
    expect(abTest).toMatchObject({ leader: 'B', metric: 'replyRate', significant: true });
    expect(abTest?.z).toBeCloseTo(2.191, 3);
    expect(abTest?.pValue).toBeCloseTo(0.0285, 4);
    expect(abTest?.note).toBe('B leads A on reply rate (45.0% vs 30.0%), significant at p = 0.028.');
  });

  it('does not call a small difference', () => {
    const { abTest } = abCampaign(4, 3, 50);
    expect(abTest).toMatchObject({ leader: 'A', metric: 'replyRate', significant: false });
    expect(abTest?.note).toMatch(/^A leads B on reply rate \(8\.0% vs 6\.0%\), not significant \(p = 0\.\d{3}\)\.$/);
  });

  it('falls back to delivery rate when a variant has no reply', () => {
    expect(abCampaign(5, 0).abTest).toMatchObject({ metric: 'deliveryRate', leader: 'A', z: 0, pValue: 1, significant: false });
  });
});

describe('campaign report: long messages delivered in part', () => {
  it('counts messages some of whose parts were delivered and some not, and says so in the text', () => {
    const builder = new CampaignReportBuilder(makeCampaign(['A']), {});
    builder.addMessages([
      makeRow({ status: 'undelivered', segments: 2, submittedAt: at(1), parts: { P1: { status: 'delivered' }, P2: { status: 'undelivered', errorCode: 'unavailable' } } }),
      makeRow({ status: 'undelivered', segments: 2, submittedAt: at(1), parts: { P1: { status: 'undelivered', errorCode: 'unavailable' } } }),
      makeRow({ status: 'delivered', segments: 2, submittedAt: at(1), parts: { P1: { status: 'delivered' }, P2: { status: 'delivered' } } }),
    ]);
    const report = builder.result();
    expect(report).toMatchObject({ delivered: 1, undelivered: 2, partiallyDelivered: 1 });
    expect(formatCampaignReport(report).join('\n')).toContain('Partially delivered: 1 long message(s)');
  });
});
