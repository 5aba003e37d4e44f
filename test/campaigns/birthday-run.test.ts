import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BirthdayAutomation } from '../../src/campaigns/birthday.js';
import { greetingKey } from '../../src/campaigns/birthday.js';
import { runBirthdayAutomation, runBirthdayAutomations } from '../../src/campaigns/birthday-run.js';
import type { BirthdayRunDeps } from '../../src/campaigns/birthday-run.js';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import { AppError } from '../../src/common/errors.js';
import type { Contact } from '../../src/contacts/contact.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';
import { cli } from '../helpers/run-cli.js';

// 07:00 UTC on 15 May 2026: 10:00 in Moscow (UTC+3), 17:00 in Vladivostok (UTC+10), 03:00 in New York (UTC-4).
const MOSCOW_TEN = '2026-05-15T07:00:00Z';
const TEMPLATES: Record<string, { text: string; variables: string[] }> = {
  birthday: { text: 'С днём рождения, {{firstName}}!', variables: [] },
  promo: { text: 'С днём рождения! Код {{code}}', variables: ['code'] },
};

function automation(overrides: Partial<BirthdayAutomation> = {}): BirthdayAutomation {
  return { id: 'auto1', name: 'Birthday', template: 'birthday', hour: 10, sender: 'SHOP', enabled: true, createdAt: '2026-01-01T00:00:00.000Z', ...overrides };
}

async function setup(people: Contact[], optedOut: Contact[] = []) {
  const store = new MemoryStore();
  const clock = fixedClock(MOSCOW_TEN);
  await store.contacts.upsertMany([...people, ...optedOut]);
  await store.consent.append([
    ...people.map((c) => makeEntry({ contactId: c.id })),
    ...optedOut.flatMap((c) => [makeEntry({ contactId: c.id }), makeEntry({ contactId: c.id, status: 'opted_out', at: '2026-02-01T00:00:00.000Z' })]),
  ]);
  let n = 0;
  const campaigns = new CampaignService({
    store, clock, newId: () => `${String((n += 1)).padStart(8, '0')}-0000-4000-8000-000000000000`, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow',
    defaultCountry: 'RU', prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => createFakeGateway(),
    // Every send would need a test send: automations must not.
    testSendRequiredAbove: 0,
  });
  const deps: BirthdayRunDeps = {
    store, campaigns, clock, defaultZone: 'Europe/Moscow',
    loadTemplateText: async (name) => {
      const found = TEMPLATES[name];
      if (!found) throw new AppError('NOT_FOUND', `No template named "${name}".`);
      return found;
    },
  };
  return { store, clock, campaigns, deps };
}

const born = (birthDate: string, timezone: string, overrides: Partial<Contact> = {}): Contact => makeContact({ birthDate, timezone, country: 'RU', ...overrides });

describe('runBirthdayAutomation', () => {
  it('greets only the contacts whose local hour is the configured hour, once per year, and again the next year', async () => {
    const moscow = born('1990-05-15', 'Europe/Moscow');
    const vladivostok = born('1990-05-15', 'Asia/Vladivostok');
    const newYork = born('1990-05-15', 'America/New_York', { country: 'US' });
    const notToday = born('1990-05-16', 'Europe/Moscow');
    const { store, clock, campaigns, deps } = await setup([moscow, vladivostok, newYork, notToday]);
    const rule = automation();

    const first = await runBirthdayAutomation(rule, deps);
    expect(first).toEqual({ campaignId: expect.any(String), recipients: 1 });
    const campaign = await campaigns.get(first.campaignId as string);
    expect(campaign).toMatchObject({ name: 'Birthday 2026-05-15', kind: 'marketing', status: 'sending', sender: 'SHOP', audience: { phones: [moscow.phone] } });
    const [row] = await store.outbox.listByCampaign(campaign.id, { limit: 10 });
    expect(row).toMatchObject({ contactId: moscow.id, status: 'queued', text: expect.stringContaining('С днём рождения, Анна!') });
    expect(await store.greetings.get(greetingKey('auto1', moscow.id, 2026))).toEqual({ id: greetingKey('auto1', moscow.id, 2026), at: '2026-05-15T07:00:00.000Z' });
    expect(await store.greetings.list()).toHaveLength(1);

    clock.set('2026-05-15T07:45:00Z'); // still 10:xx in Moscow
    expect(await runBirthdayAutomation(rule, deps)).toEqual({ campaignId: null, recipients: 0 });

    clock.set('2026-05-15T14:00:00Z'); // 10:00 in New York
    const evening = await runBirthdayAutomation(rule, deps);
    expect(evening.recipients).toBe(1);
    expect((await campaigns.get(evening.campaignId as string)).audience).toEqual({ phones: [newYork.phone] });

    clock.set('2027-05-15T07:00:00Z');
    const nextYear = await runBirthdayAutomation(rule, deps);
    expect(nextYear.recipients).toBe(1);
    expect(await store.greetings.get(greetingKey('auto1', moscow.id, 2027))).toBeDefined();
  });

  it('judges each contact in its own zone: at 10:00 in Vladivostok only the Vladivostok contact is picked', async () => {
    const moscow = born('1990-05-15', 'Europe/Moscow');
    const vladivostok = born('1990-05-15', 'Asia/Vladivostok');
    const { campaigns, deps } = await setup([moscow, vladivostok]);
    deps.clock = fixedClock('2026-05-15T00:00:00Z');
    const result = await runBirthdayAutomation(automation(), deps);
    expect(result.recipients).toBe(1);
    expect((await campaigns.get(result.campaignId as string)).audience).toEqual({ phones: [vladivostok.phone] });
  });

  it('greets a 29 February birthday on 28 February in a common year', async () => {
    const leapling = born('2000-02-29', 'Europe/Moscow');
    const { store, campaigns, deps } = await setup([leapling]);
    deps.clock = fixedClock('2027-02-28T07:00:00Z');
    const result = await runBirthdayAutomation(automation(), deps);
    expect(result.recipients).toBe(1);
    expect((await campaigns.get(result.campaignId as string)).name).toBe('Birthday 2027-02-28');
    expect(await store.greetings.get(greetingKey('auto1', leapling.id, 2027))).toBeDefined();
  });

  it('leaves out an opted-out contact without recording a greeting for it', async () => {
    const moscow = born('1990-05-15', 'Europe/Moscow');
    const optedOut = born('1991-05-15', 'Europe/Moscow');
    const { store, campaigns, deps } = await setup([moscow], [optedOut]);
    const result = await runBirthdayAutomation(automation(), deps);
    expect(result.recipients).toBe(1);
    const campaign = await campaigns.get(result.campaignId as string);
    expect(campaign.planned).toEqual({ recipients: 1, excluded: { opted_out: 1 } });
    expect(await store.greetings.get(greetingKey('auto1', optedOut.id, 2026))).toBeUndefined();
    expect(await store.greetings.get(greetingKey('auto1', moscow.id, 2026))).toBeDefined();
    // Only the excluded one is tried again; nobody can be greeted, so that campaign is complete at once.
    const again = await runBirthdayAutomation(automation(), deps);
    expect(again.recipients).toBe(0);
    expect(await campaigns.get(again.campaignId as string)).toMatchObject({ status: 'completed', audience: { phones: [optedOut.phone] } });
  });

  it('does nothing when disabled, and refuses a template that needs campaign variables', async () => {
    const { deps } = await setup([born('1990-05-15', 'Europe/Moscow')]);
    expect(await runBirthdayAutomation(automation({ enabled: false }), deps)).toEqual({ campaignId: null, recipients: 0 });
    await expect(runBirthdayAutomation(automation({ template: 'promo' }), deps)).rejects.toThrow(/needs campaign variables \(code\)/);
  });
});

describe('runBirthdayAutomations', () => {
  it('runs every enabled automation, reports a failing one and goes on', async () => {
    const { store, deps } = await setup([born('1990-05-15', 'Europe/Moscow')]);
    await store.automations.put(automation({ id: 'a-broken', template: 'gone' }));
    await store.automations.put(automation({ id: 'b-good' }));
    await store.automations.put(automation({ id: 'c-off', enabled: false }));
    const outcomes = await runBirthdayAutomations(deps);
    expect(outcomes).toEqual([
      { automationId: 'a-broken', campaignId: null, recipients: 0, error: 'No template named "gone".' },
      { automationId: 'b-good', campaignId: expect.any(String), recipients: 1 },
    ]);
  });
});

describe('automation CLI', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('creates, lists, runs and disables a birthday automation; refuses an hour outside 0–23', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-automation-cli-'));
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('SMS_SENDER', 'SHOP');
    try {
      expect((await cli('template', 'save', 'x', '--text', 'С днём рождения!')).code).toBe(0);
      const created = await cli('automation', 'birthday', '--template', 'x', '--hour', '10', '--json');
      expect(created.code).toBe(0);
      const { id } = JSON.parse(created.stdout) as { id: string };
      const listed = JSON.parse((await cli('automation', 'list', '--json')).stdout);
      expect(listed).toEqual([expect.objectContaining({ id, template: 'x', hour: 10, sender: 'SHOP', enabled: true, name: 'Birthday greetings' })]);
      expect(JSON.parse((await cli('automation', 'run', '--json')).stdout)).toEqual([{ automationId: id, campaignId: null, recipients: 0 }]);
      expect((await cli('automation', 'disable', id)).stdout).toContain(`Automation ${id} is disabled.`);
      expect((await cli('automation', 'run')).stdout).toContain('No enabled automations.');

      const bad = await cli('automation', 'birthday', '--template', 'x', '--hour', '24');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--hour must be a whole number from 0 to 23');
      expect((await cli('automation', 'birthday', '--template', 'nope', '--hour', '9')).stderr).toContain('No template named "nope"');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
