import { describe, expect, it } from 'vitest';
import { cli } from '../../helpers/run-cli.js';

describe('smsbridge demo --hubspot', () => {
  it('syncs from the local stand-in, sends, and shows what was written back, with no account', async () => {
    const result = await cli('demo', '--hubspot', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      sync: { created: number }; report: { submitted: number; excluded: Record<string, number> }; optOut: { consent: string };
      action: { answer: { hs_execution_state: string }; completion?: { hs_execution_state: string } }; communications: Array<{ contactId: string; body: string }>;
    };
    expect(out.sync.created).toBe(12);
    expect(out.report.excluded).toEqual({ no_consent: 1, opted_out: 1 });
    expect(out.communications.length).toBeGreaterThanOrEqual(out.report.submitted + 2);
    expect(out.communications.some((c) => c.contactId === '101' && c.body.startsWith('Incoming SMS reply (opt-out)'))).toBe(true);
    expect(out.optOut.consent).toBe('opted_out');
    expect(out.action.answer.hs_execution_state).toBe('BLOCK');
    expect(out.action.completion?.hs_execution_state).toMatch(/^(SUCCESS|FAIL_CONTINUE)$/);
  }, 30_000);
});
