import type { Command } from 'commander';
import { z } from 'zod';
import { archiveCampaign, archiveOlderThan } from '../../campaigns/campaign-list.js';
import type { RecipientResult } from '../../campaigns/recipient-results.js';
import { csvLine, RESULT_COLUMNS, recipientResults } from '../../campaigns/recipient-results.js';
import { AppError } from '../../common/errors.js';
import type { MessageStatus } from '../../delivery/outbox.js';
import { withApp } from '../context.js';
import { collect, parseFlags } from '../flags.js';
import { printJson, printLines } from '../output.js';

const STATUSES = ['queued', 'sending', 'submitted', 'delivered', 'undelivered', 'failed', 'expired', 'rejected', 'canceled', 'unknown'] as const;

const messagesFlags = z.object({
  status: z.array(z.enum(STATUSES, `--status must be one of: ${STATUSES.join(', ')}`)).default([]),
  csv: z.boolean().default(false),
  json: z.boolean().default(false),
  unmasked: z.boolean().default(false),
});

/** Writes and waits for the pipe to drain, so a 100,000-row listing never piles up in memory. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}

function textLine(r: RecipientResult): string {
  return [r.phone.padEnd(15), r.name.padEnd(24), r.variant.padEnd(3), r.status.padEnd(11), (r.errorCode ?? '').padEnd(16), (r.sentAt ?? '').padEnd(24), (r.deliveredAt ?? '').padEnd(24), String(r.cost).padStart(7), r.reply ?? '']
    .join(' ')
    .trimEnd();
}

export function registerCampaignResultCommands(campaign: Command): void {
  campaign
    .command('messages')
    .description('Every recipient\'s message: phone (masked unless --unmasked), name, variant, status, error code, sent and delivered times, cost, reply. Streams.')
    .argument('<id>')
    .option('--status <status>', 'only these statuses (repeatable, or comma-separated)', collect, [])
    .option('--csv', 'print CSV (RFC 4180, a header row first)')
    .option('--json', 'print a JSON array')
    .option('--unmasked', 'show whole phone numbers')
    .action(async (id: string, raw: { status: string[]; csv?: boolean; json?: boolean; unmasked?: boolean }) => {
      const flags = parseFlags(messagesFlags, { ...raw, status: raw.status.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) });
      if (flags.csv && flags.json) throw new AppError('VALIDATION_FAILED', 'Use --csv or --json, not both.');
      await withApp({ readOnly: true }, async (app) => {
        await app.campaigns.get(id);
        const statuses = flags.status.length > 0 ? new Set<MessageStatus>(flags.status) : undefined;
        let count = 0;
        if (flags.csv) await write(`${csvLine(RESULT_COLUMNS)}\n`);
        else if (flags.json) await write('[');
        else await write(`${['phone'.padEnd(15), 'name'.padEnd(24), 'var', 'status'.padEnd(11), 'error'.padEnd(16), 'sent'.padEnd(24), 'delivered'.padEnd(24), '   cost', 'reply'].join(' ')}\n`);
        for await (const { rows } of recipientResults(app.store, id, { ...(statuses ? { statuses } : {}), unmasked: flags.unmasked })) {
          let chunk = '';
          for (const row of rows) {
            if (flags.csv) chunk += `${csvLine(RESULT_COLUMNS.map((column) => row[column]))}\n`;
            else if (flags.json) chunk += `${count === 0 ? '' : ','}\n  ${JSON.stringify(row)}`;
            else chunk += `${textLine(row)}\n`;
            count += 1;
          }
          if (chunk) await write(chunk);
        }
        if (flags.json) await write(count === 0 ? ']\n' : '\n]\n');
        else if (!flags.csv) await write(`${count} message(s)\n`);
      });
    });

  campaign
    .command('archive')
    .description('Archive a finished campaign (or every one finished more than --older-than days ago): hidden from campaign list.')
    .argument('[id]')
    .option('--older-than <days>', 'archive every completed or canceled campaign older than this')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, flags: { olderThan?: string; json?: boolean }) => {
      if ((id === undefined) === (flags.olderThan === undefined)) throw new AppError('VALIDATION_FAILED', 'Name one campaign id, or use --older-than <days>.');
      await withApp({}, async (app) => {
        const archived = id !== undefined
          ? [(await archiveCampaign(app.store, app.clock, id)).id]
          : await archiveOlderThan(app.store, app.clock, parseFlags(z.coerce.number('--older-than must be a number of days').int('--older-than must be whole days').min(0, '--older-than must be 0 or more'), flags.olderThan));
        await app.store.flush();
        if (flags.json) printJson({ archived });
        else printLines([archived.length ? `Archived ${archived.length}: ${archived.join(', ')}. See them with campaign list --archived.` : 'Nothing to archive.']);
      });
    });
}
