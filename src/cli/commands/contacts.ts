import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import { maskPhone } from '../../common/mask.js';
import type { Contact } from '../../contacts/contact.js';
import { normalizePhone } from '../../contacts/phone.js';
import type { ConsentState } from '../../consent/consent.js';
import { UNKNOWN_CONSENT } from '../../consent/consent.js';
import { recordConsent } from '../../consent/record-consent.js';
import { withApp } from '../context.js';
import { parseFlags, wholeNumber } from '../flags.js';
import { printJson, printLines, table } from '../output.js';
import { registerPersonalDataCommands } from './personal-data.js';

const listFlags = z.object({
  limit: wholeNumber('--limit', { min: 1, max: 10_000 }).default(20),
  after: z.string().optional(),
  json: z.boolean().default(false),
});

export function registerContactCommands(program: Command): void {
  const contacts = program.command('contacts').description('Look at contacts and change their consent.');

  contacts
    .command('list')
    .description('List contacts, oldest id first, with their consent.')
    .option('--limit <n>', 'how many to show (1-10000)', '20')
    .option('--after <id>', 'start after this contact id (for paging)')
    .option('--json', 'print JSON')
    .action(async (rawFlags: unknown) => {
      const flags = parseFlags(listFlags, rawFlags);
      await withApp({ readOnly: true }, async (app) => {
        const page = await app.store.contacts.list(flags.after ? { limit: flags.limit, afterId: flags.after } : { limit: flags.limit });
        const consent = await app.store.consent.currentMany(page.map((contact) => contact.id));
        if (flags.json) {
          printJson(page.map((contact) => ({ ...contact, consent: consent.get(contact.id) ?? UNKNOWN_CONSENT })));
          return;
        }
        const total = await app.store.contacts.count();
        const rows = page.map((c) => [c.phone, [c.firstName, c.lastName].filter(Boolean).join(' '), c.city ?? '', c.timezone ?? '', consentLabel(consent.get(c.id)), c.id]);
        printLines([...table(['phone', 'name', 'city', 'timezone', 'consent', 'id'], rows), `${page.length} of ${total} contacts`]);
      });
    });

  contacts
    .command('show')
    .description('Show one contact, its consent and the consent ledger.')
    .argument('<phone>', 'the phone number, in any common format')
    .option('--json', 'print JSON')
    .action(async (phone: string, flags: { json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const contact = await findContact(app, phone);
        const [consent, history] = await Promise.all([
          app.store.consent.currentMany([contact.id]),
          app.store.consent.history(contact.id),
        ]);
        const state = consent.get(contact.id) ?? UNKNOWN_CONSENT;
        if (flags.json) {
          printJson({ ...contact, consent: state, consentHistory: history });
          return;
        }
        printLines([
          ...describeContact(contact),
          `consent:   ${consentLabel(state)}`,
          ...history.map((entry) => `  ${entry.at}  ${entry.status} (${entry.scope}) by ${entry.origin}: ${entry.source}${entry.evidence ? ` [evidence: ${entry.evidence}]` : ''}`),
        ]);
      });
    });

  contacts
    .command('opt-out')
    .description('Record that a contact must get no more messages (all kinds, or only marketing).')
    .argument('<phone>', 'the phone number')
    .addOption(new Option('--scope <scope>', 'what to stop').choices(['all', 'marketing']).default('all'))
    .addOption(
      new Option('--by <who>', 'who asked: recipient (the customer asked by phone or e-mail: locked like a STOP reply) or operator (your own decision)')
        .choices(['recipient', 'operator'])
        .default('operator'),
    )
    .option('--source <text>', 'how the request came in', 'operator via CLI')
    .option('--json', 'print JSON')
    .action(async (phone: string, flags: { scope: 'all' | 'marketing'; by: 'recipient' | 'operator'; source: string; json?: boolean }) => {
      await changeConsent(phone, { status: 'opted_out', scope: flags.scope, source: flags.source, origin: flags.by }, Boolean(flags.json));
    });

  contacts
    .command('opt-in')
    .description('Record a contact\'s consent to marketing messages.')
    .argument('<phone>', 'the phone number')
    .requiredOption('--source <text>', 'where the consent was collected (form, shop, call...)')
    .option('--evidence <text>', 'proof of a new consent (form id, signed document); needed to undo any opt-out')
    .option('--json', 'print JSON')
    .action(async (phone: string, flags: { source: string; evidence?: string; json?: boolean }) => {
      await changeConsent(
        phone,
        { status: 'opted_in', scope: 'marketing', source: flags.source, ...(flags.evidence ? { evidence: flags.evidence } : {}) },
        Boolean(flags.json),
      );
    });

  registerPersonalDataCommands(contacts);
}

async function changeConsent(
  phone: string,
  change: { status: 'opted_in' | 'opted_out'; scope: 'all' | 'marketing'; source: string; evidence?: string; origin?: 'recipient' | 'operator' },
  json: boolean,
): Promise<void> {
  await withApp({}, async (app) => {
    const contact = await findContact(app, phone);
    const result = await recordConsent({ origin: 'operator', ...change, contactId: contact.id }, app);
    app.logger.info({ contactId: contact.id, status: change.status, changed: result.changed }, 'consent recorded');
    if (json) printJson({ id: contact.id, phone: contact.phone, changed: result.changed, consent: result.state });
    else printLines([`${contact.phone}: ${result.changed ? 'now' : 'already'} ${consentLabel(result.state)}`]);
  });
}

async function findContact(app: AppContext, raw: string): Promise<Contact> {
  const phone = normalizePhone(raw, app.config.DEFAULT_COUNTRY);
  if (!phone.ok) {
    throw new AppError('VALIDATION_FAILED', `"${maskPhone(raw)}" is not a usable phone number (${phone.reason}).`, {
      hint: 'Write it in international form, such as +79123456789.',
    });
  }
  const contact = (await app.store.contacts.getByPhones([phone.e164])).get(phone.e164);
  if (!contact) {
    throw new AppError('NOT_FOUND', `No contact with the number ${maskPhone(phone.e164)}.`, {
      hint: 'Import it first (smsbridge import <file>), or check the number with smsbridge contacts list.',
    });
  }
  return contact;
}

function describeContact(contact: Contact): string[] {
  const line = (label: string, value: string | undefined): string[] => (value ? [`${label.padEnd(10)} ${value}`] : []);
  return [
    ...line('phone:', contact.phone),
    ...line('name:', [contact.firstName, contact.lastName].filter(Boolean).join(' ')),
    ...line('gender:', contact.gender),
    ...line('born:', contact.birthDate),
    ...line('city:', contact.city),
    ...line('country:', contact.country),
    ...line('timezone:', contact.timezone && `${contact.timezone} (from ${contact.timezoneSource ?? 'unknown'})`),
    ...line('interests:', contact.interests.join(', ')),
    ...line('tags:', contact.tags.join(', ')),
    ...Object.entries(contact.properties).map(([key, value]) => `${`${key}:`.padEnd(10)} ${value}`),
    ...line('crm:', contact.crm && `${contact.crm.system} ${contact.crm.id}`),
    ...line('id:', contact.id),
  ];
}

export function consentLabel(state: ConsentState | undefined): string {
  if (!state) return 'no consent recorded';
  const by = state.lockedByRecipient ? ' (by the recipient)' : state.optedOutBy ? ` (by ${state.optedOutBy})` : '';
  if (!state.transactionalAllowed) return `opted out of everything${by}`;
  if (state.marketing === 'opted_out') return `opted out of marketing${by}`;
  if (state.marketing === 'opted_in') return 'opted in to marketing';
  return 'no consent recorded';
}
