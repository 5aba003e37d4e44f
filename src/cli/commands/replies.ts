import type { Command } from 'commander';
import { z } from 'zod';
import { listReplies } from '../../campaigns/replies.js';
import { withApp } from '../context.js';
import { parseFlags } from '../flags.js';
import { printJson, printLines, table } from '../output.js';

const repliesFlags = z.object({
  campaign: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true, message: '--since must be an ISO date-time such as 2026-12-01T10:00:00+03:00' }).optional(),
  limit: z.coerce.number().int('--limit must be a whole number').min(1, '--limit must be at least 1').max(100_000).default(100),
  unmasked: z.boolean().default(false),
  json: z.boolean().default(false),
});

export function registerReplyCommands(program: Command): void {
  const replies = program.command('replies').description('Replies from recipients.');
  replies
    .command('list')
    .description('Replies (opt-outs, opt-ins and help requests included), oldest first.')
    .option('--campaign <id>', 'only replies to this campaign')
    .option('--since <iso>', 'only replies received after this time')
    .option('--limit <n>', 'at most this many', '100')
    .option('--unmasked', 'show whole phone numbers')
    .option('--json', 'print JSON ({ items, next }: pass next as --since for more)')
    .action(async (raw: unknown) => {
      const flags = parseFlags(repliesFlags, raw);
      await withApp({ readOnly: true }, async (app) => {
        if (flags.campaign) await app.campaigns.get(flags.campaign);
        const page = await listReplies(app.store, {
          limit: flags.limit, unmasked: flags.unmasked, ...(flags.campaign ? { campaignId: flags.campaign } : {}), ...(flags.since ? { since: new Date(flags.since).toISOString() } : {}),
        });
        if (flags.json) {
          printJson(page);
          return;
        }
        if (page.items.length === 0) {
          printLines(['No replies.']);
          return;
        }
        printLines([
          ...table(['at', 'phone', 'name', 'campaign', 'kind', 'text'], page.items.map((r) => [r.at, r.phone, r.name, r.campaignId ?? '', r.kind, r.text.replace(/\s+/g, ' ')])),
          ...(page.next ? [`more: smsbridge replies list --since ${page.next}${flags.campaign ? ` --campaign ${flags.campaign}` : ''}`] : []),
        ]);
      });
    });
}
