import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import { maskPhone } from '../../common/mask.js';
import { normalizePhone } from '../../contacts/phone.js';
import { exportPersonalData, forgetPersonalData } from '../../contacts/personal-data.js';
import { withApp } from '../context.js';
import { printJson, printLines } from '../output.js';

function e164Of(app: AppContext, raw: string): string {
  const phone = normalizePhone(raw, app.config.DEFAULT_COUNTRY);
  if (!phone.ok) throw new AppError('VALIDATION_FAILED', `"${maskPhone(raw)}" is not a usable phone number (${phone.reason}).`, { hint: 'Write it in international form, such as +79123456789.' });
  return phone.e164;
}

/** `contacts export` and `contacts forget`: a person's right of access and right to erasure (152-FZ, GDPR). */
export function registerPersonalDataCommands(contacts: Command): void {
  contacts
    .command('export')
    .description('Everything held about a number, as JSON: the contact, consent and its ledger, messages, replies (152-FZ art. 14, GDPR art. 15).')
    .argument('<phone>', 'the phone number')
    .option('--json', 'print JSON (the export is always JSON)')
    .action(async (raw: string) => {
      await withApp({ readOnly: true }, async (app) => {
        const data = await exportPersonalData(app.store, e164Of(app, raw));
        if (!data.contact && data.messages.length === 0 && data.replies.length === 0 && !data.suppressed) {
          throw new AppError('NOT_FOUND', `Nothing is held about ${maskPhone(data.phone)}.`);
        }
        printJson(data);
      });
    });

  contacts
    .command('forget')
    .description('Erase a person\'s data everywhere (contact, consent ledger, message texts and numbers, replies, inbox); an opt-out stays as a hashed number on the suppression list.')
    .argument('<phone>', 'the phone number')
    .option('--json', 'print JSON')
    .action(async (raw: string, flags: { json?: boolean }) => {
      await withApp({}, async (app) => {
        const phone = e164Of(app, raw);
        const result = await forgetPersonalData(app.store, app.clock, phone);
        if (!result.contactErased && result.messagesRedacted === 0 && result.repliesRedacted === 0 && result.campaignsRedacted === 0) {
          throw new AppError('NOT_FOUND', `Nothing is held about ${maskPhone(phone)}.`);
        }
        app.logger.info({ messages: result.messagesRedacted, replies: result.repliesRedacted, suppressed: result.suppressed }, 'personal data erased');
        if (flags.json) printJson({ ...result, phone: maskPhone(phone) });
        else {
          printLines([
            `Erased ${maskPhone(phone)}: contact ${result.contactErased ? 'deleted' : 'none'}, ${result.messagesRedacted} message(s) and ${result.repliesRedacted} reply(ies) redacted, ${result.campaignsRedacted} campaign audience(s) cleaned.`,
            result.suppressed ? 'The number had opted out: its hash stays on the suppression list, so it is never messaged again and re-imports stay opted out.' : 'The number had not opted out: nothing about it is kept.',
          ]);
        }
      });
    });
}
