import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import type { z } from 'zod';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import { maskPhone } from '../../common/mask.js';
import { mapColumns, parseMapOption } from '../../contacts/columns.js';
import type { Contact, ContactFields } from '../../contacts/contact.js';
import { openSheet } from '../../contacts/files/index.js';
import type { SheetFormat } from '../../contacts/files/index.js';
import { importContacts } from '../../contacts/import-contacts.js';
import { mergeContact } from '../../contacts/merge.js';
import { UNKNOWN_CONSENT } from '../../consent/consent.js';
import type { ConsentChange } from '../../consent/record-consent.js';
import { recordConsent } from '../../consent/record-consent.js';
import { consentChangeResponse, contactPageResponse, contactResponse, importReportResponse } from './responses.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { contactBody, contactListQuery, e164, importQuery, optInBody, optOutBody, parseInput, phoneParams } from './schemas.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const UPLOAD_TYPES: Record<string, SheetFormat> = { 'text/csv': 'csv', 'text/plain': 'csv', 'text/tab-separated-values': 'csv', [XLSX]: 'xlsx' };

async function findContact(app: AppContext, raw: string): Promise<Contact> {
  const phone = e164(raw, app.config.DEFAULT_COUNTRY).e164;
  const contact = (await app.store.contacts.getByPhones([phone])).get(phone);
  if (!contact) throw new AppError('NOT_FOUND', `No contact with the number ${maskPhone(phone)}.`, { hint: 'Create it with PUT /api/v1/contacts/{phone} or import a file.' });
  return contact;
}

/** A contact as GET and PUT answer it: the record, its consent and its consent ledger. */
async function withConsent(app: AppContext, contact: Contact): Promise<z.input<typeof contactResponse>> {
  const [consent, history] = await Promise.all([app.store.consent.currentMany([contact.id]), app.store.consent.history(contact.id)]);
  return { ...contact, consent: consent.get(contact.id) ?? UNKNOWN_CONSENT, consentHistory: history };
}

async function changeConsent(app: AppContext, rawPhone: string, change: Omit<ConsentChange, 'contactId' | 'origin'> & { origin?: 'recipient' | 'operator' }): Promise<z.input<typeof consentChangeResponse>> {
  const contact = await findContact(app, rawPhone);
  const result = await recordConsent({ origin: 'operator', ...change, contactId: contact.id }, app);
  await app.store.flush();
  app.logger.info({ contactId: contact.id, status: change.status, changed: result.changed }, 'consent recorded via API');
  return { id: contact.id, phone: contact.phone, changed: result.changed, consent: result.state };
}

/** The uploaded file goes to a private temp dir (the sheet readers stream from disk), removed afterwards. */
async function importUpload(app: AppContext, body: unknown, contentType: string, rawQuery: unknown): Promise<object> {
  const query = parseInput(importQuery, rawQuery, 'query');
  const format = UPLOAD_TYPES[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (!format || !Buffer.isBuffer(body)) {
    throw new AppError('VALIDATION_FAILED', 'Send the file itself as the body, with Content-Type text/csv or the .xlsx type.', { details: [{ path: 'headers.content-type', message: `one of ${Object.keys(UPLOAD_TYPES).join(', ')}` }] });
  }
  if (body.length === 0) throw new AppError('VALIDATION_FAILED', 'The uploaded file is empty.', { details: [{ path: 'body', message: 'empty' }] });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smsb-upload-'));
  const file = path.join(dir, `upload.${format}`);
  try {
    await fs.writeFile(file, body, { mode: 0o600 });
    const sheet = await openSheet(file, { format, encoding: query.encoding });
    try {
      const mapping = mapColumns(sheet.headers, parseMapOption(query.map ?? []));
      if (!mapping.columns.some((column) => column.target === 'phone')) {
        throw new AppError('VALIDATION_FAILED', `No phone column found among: ${sheet.headers.join(', ')}.`, {
          hint: 'Name the column "phone" or "телефон", or map it: ?map=Your%20Column%3Dphone.', details: [{ path: 'body', message: 'no phone column' }],
        });
      }
      const report = await importContacts(sheet.rows, mapping, {
        defaultCountry: query.defaultCountry ?? app.config.DEFAULT_COUNTRY, sourceName: `import ${query.filename ?? `API upload.${format}`}`, dryRun: query.dryRun,
        ...(query.consent && query.consentSource ? { consent: { status: query.consent, source: query.consentSource } } : {}),
      }, { store: app.store, clock: app.clock, newId: app.newId });
      app.logger.info({ rows: report.rows, created: report.created, invalid: report.invalid.length }, 'import via API finished');
      return report;
    } finally {
      await sheet.close?.();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function contactRoutes({ app }: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'get', path: '/contacts', tag: 'contacts', summary: 'A page of contacts (oldest id first) with their consent; `next` is the cursor for `after`.', query: contactListQuery,
      responses: { 200: { description: 'A page of contacts', schema: contactPageResponse }, 400: 'Invalid query' },
      handle: async (req, res) => {
        const { limit, after } = parseInput(contactListQuery, req.query, 'query');
        const page = await app.store.contacts.list(after ? { limit: limit + 1, afterId: after } : { limit: limit + 1 });
        const items = page.slice(0, limit);
        const consent = await app.store.consent.currentMany(items.map((c) => c.id));
        res.json({ items: items.map((c) => ({ ...c, consent: consent.get(c.id) ?? UNKNOWN_CONSENT })), next: page.length > limit ? (items.at(-1)?.id ?? null) : null });
      },
    },
    {
      method: 'post', path: '/contacts/import', tag: 'contacts', summary: 'Import a CSV or XLSX file sent as the body; returns the import report.', query: importQuery, upload: Object.keys(UPLOAD_TYPES),
      middleware: [express.raw({ type: Object.keys(UPLOAD_TYPES), limit: '50mb' })],
      responses: { 200: { description: 'The import report (as `smsbridge import --json`)', schema: importReportResponse }, 400: 'Invalid query, empty or unreadable file, no phone column', 413: 'Over 50 MB' },
      handle: async (req, res) => {
        res.json(await importUpload(app, req.body, req.headers['content-type'] ?? '', req.query));
      },
    },
    {
      method: 'get', path: '/contacts/:phone', tag: 'contacts', summary: 'One contact with its consent state and consent ledger.',
      responses: { 200: { description: 'The contact, `consent` and `consentHistory`', schema: contactResponse }, 400: 'Not a usable phone number', 404: 'No such contact' },
      handle: async (req, res) => {
        res.json(await withConsent(app, await findContact(app, parseInput(phoneParams, req.params, 'params').phone)));
      },
    },
    {
      method: 'put', path: '/contacts/:phone', tag: 'contacts', summary: 'Create or update one contact, merged like an import row.', body: contactBody,
      responses: { 200: { description: 'Updated (or unchanged)', schema: contactResponse }, 201: { description: 'Created', schema: contactResponse }, 400: 'Invalid phone or fields' },
      handle: async (req, res) => {
        const phone = e164(parseInput(phoneParams, req.params, 'params').phone, app.config.DEFAULT_COUNTRY);
        const fields: ContactFields = { ...parseInput(contactBody, req.body, 'body'), phone: phone.e164, ...(phone.country ? { country: phone.country } : {}) };
        const existing = (await app.store.contacts.getByPhones([phone.e164])).get(phone.e164);
        const { contact, outcome } = mergeContact(existing, fields, { now: app.clock.now().toISOString(), newId: app.newId });
        if (outcome !== 'unchanged') {
          await app.store.contacts.upsertMany([contact]);
          await app.store.flush();
        }
        res.status(outcome === 'created' ? 201 : 200).json(await withConsent(app, contact));
      },
    },
    {
      method: 'post', path: '/contacts/:phone/opt-out', tag: 'contacts', summary: 'Record an opt-out (scope all by default, or marketing); `by: recipient` when the customer asked (locked like STOP).', body: optOutBody,
      responses: { 200: { description: 'The consent now', schema: consentChangeResponse }, 400: 'Invalid phone or body', 404: 'No such contact' },
      handle: async (req, res) => {
        const body = parseInput(optOutBody, req.body ?? {}, 'body');
        res.json(await changeConsent(app, parseInput(phoneParams, req.params, 'params').phone, { status: 'opted_out', scope: body.scope, source: body.source, origin: body.by }));
      },
    },
    {
      method: 'post', path: '/contacts/:phone/opt-in', tag: 'contacts', summary: 'Record a marketing opt-in; lifting any opt-out needs `evidence` of a new consent.', body: optInBody,
      responses: { 200: { description: 'The consent now', schema: consentChangeResponse }, 400: 'Invalid phone or body', 404: 'No such contact', 409: 'An opt-out stands; evidence of a new consent needed' },
      handle: async (req, res) => {
        const body = parseInput(optInBody, req.body, 'body');
        res.json(await changeConsent(app, parseInput(phoneParams, req.params, 'params').phone, { status: 'opted_in', scope: 'marketing', source: body.source, ...(body.evidence ? { evidence: body.evidence } : {}) }));
      },
    },
  ];
}
