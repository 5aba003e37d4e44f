import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { maskPhone } from '../../common/mask.js';
import { exportPersonalData, forgetPersonalData } from '../../contacts/personal-data.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { e164, parseInput, phoneParams } from './schemas.js';

const forgetResponse = z.object({
  phone: z.string().describe('masked'), contactErased: z.boolean(), messagesRedacted: z.number().int(), repliesRedacted: z.number().int(),
  campaignsRedacted: z.number().int(), suppressed: z.boolean(),
});
const exportResponse = z.object({
  phone: z.string(), contact: z.record(z.string(), z.unknown()).nullable(), consent: z.record(z.string(), z.unknown()).nullable(),
  consentHistory: z.array(z.record(z.string(), z.unknown())), messages: z.array(z.record(z.string(), z.unknown())),
  replies: z.array(z.record(z.string(), z.unknown())), integrations: z.array(z.record(z.string(), z.unknown())), suppressed: z.boolean(),
  clicks: z.array(z.record(z.string(), z.unknown())).optional().describe('Clicks on the short links of the contact\'s messages.'),
  orders: z.array(z.record(z.string(), z.unknown())).optional().describe('The contact\'s orders: amount, currency, time, source and the campaign credited.'),
});

/** A person's right of access and right to erasure (152-FZ arts. 14 and 21, GDPR arts. 15 and 17). */
export function personalDataRoutes({ app }: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'get', path: '/contacts/:phone/export', tag: 'contacts', response: exportResponse,
      summary: 'Everything held about a number: the contact, consent and its ledger, messages, replies, and whether it is suppressed.',
      responses: { 200: 'The export (as `contacts export`)', 400: 'Not a usable phone number', 404: 'Nothing is held about it' },
      handle: async (req, res) => {
        const phone = e164(parseInput(phoneParams, req.params, 'params').phone, app.config.DEFAULT_COUNTRY).e164;
        const data = await exportPersonalData(app.store, phone);
        if (!data.contact && data.messages.length === 0 && data.replies.length === 0 && !data.suppressed) throw new AppError('NOT_FOUND', `Nothing is held about ${maskPhone(phone)}.`);
        res.json(data);
      },
    },
    {
      method: 'post', path: '/contacts/:phone/forget', tag: 'contacts', response: forgetResponse,
      summary: 'Erase a person\'s data everywhere; an opt-out stays as a hashed number on the suppression list (never messaged again, re-imports stay opted out).',
      responses: { 200: 'What was erased', 400: 'Not a usable phone number', 404: 'Nothing is held about it' },
      handle: async (req, res) => {
        const phone = e164(parseInput(phoneParams, req.params, 'params').phone, app.config.DEFAULT_COUNTRY).e164;
        const result = await forgetPersonalData(app.store, app.clock, phone);
        if (!result.contactErased && result.messagesRedacted === 0 && result.repliesRedacted === 0 && result.campaignsRedacted === 0) throw new AppError('NOT_FOUND', `Nothing is held about ${maskPhone(phone)}.`);
        res.json({ ...result, phone: maskPhone(phone) });
      },
    },
  ];
}
