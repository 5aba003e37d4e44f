import { describe, expect, it } from 'vitest';
import type { CampaignSchedule } from '../../src/campaigns/campaign.js';
import { missedOneOffs } from '../../src/schedule/catch-up.js';

type Row = { id: string; schedule: CampaignSchedule; status: string };
const at = (id: string, when: string, status = 'scheduled'): Row => ({ id, schedule: { type: 'at', at: when }, status });

const NOW = new Date('2026-06-01T10:00:00Z');
const GRACE = 15 * 60_000;

describe('missedOneOffs', () => {
  it('fires what is within the grace period and reports what is older as expired', () => {
    const rows = [
      at('recent', '2026-06-01T09:50:00Z'),
      at('edge', '2026-06-01T09:45:00Z'),
      at('offset', '2026-06-01T12:50:00+03:00'),
      at('just-late', '2026-06-01T09:44:59.999Z'),
      at('hours-late', '2026-06-01T06:00:00Z'),
      at('now', '2026-06-01T10:00:00Z'),
    ];
    const { fire, expired } = missedOneOffs(rows, NOW, GRACE);
    expect(fire.map((c) => c.id)).toEqual(['recent', 'edge', 'offset', 'now']);
    expect(expired.map((c) => c.id)).toEqual(['just-late', 'hours-late']);
  });

  it('leaves future, non-scheduled and non-one-off campaigns alone', () => {
    const rows: Row[] = [
      at('future', '2026-06-01T10:00:00.001Z'),
      at('draft', '2026-06-01T09:59:00Z', 'draft'),
      at('canceled', '2026-06-01T06:00:00Z', 'canceled'),
      at('sending', '2026-06-01T09:59:00Z', 'sending'),
      { id: 'cron', schedule: { type: 'cron', cron: '0 10 * * *', timezone: 'Europe/Moscow' }, status: 'scheduled' },
      { id: 'now-type', schedule: { type: 'now' }, status: 'scheduled' },
    ];
    expect(missedOneOffs(rows, NOW, GRACE)).toEqual({ fire: [], expired: [] });
  });

  it('reports an unreadable time as expired rather than dropping it', () => {
    expect(missedOneOffs([at('broken', 'tomorrow-ish')], NOW, GRACE).expired.map((c) => c.id)).toEqual(['broken']);
  });

  it('with no grace fires only what is due exactly now', () => {
    const { fire, expired } = missedOneOffs([at('now', '2026-06-01T10:00:00Z'), at('late', '2026-06-01T09:59:59Z')], NOW, 0);
    expect([fire.map((c) => c.id), expired.map((c) => c.id)]).toEqual([['now'], ['late']]);
  });
});
