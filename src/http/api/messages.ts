import { sendSingleOnce } from '../../campaigns/send-single.js';
import { compileTemplate } from '../../messages/template.js';
import { checkRoute } from './campaigns.js';
import { fingerprint, KeyedMutex } from './idempotency.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { e164, idempotencyHeaders, messageBody, parseInput } from './schemas.js';

export function messageRoutes({ app }: ApiDeps): ApiRoute[] {
  const keys = new KeyedMutex();
  return [
    {
      method: 'post', path: '/messages', tag: 'messages', summary: 'Send one transactional SMS; retries with the same Idempotency-Key get the first answer and send nothing new.', body: messageBody,
      headers: [{ name: 'Idempotency-Key', required: true, description: 'A unique key per message (1–200 characters), kept at least 24 h.', schema: { type: 'string', minLength: 1, maxLength: 200 } }],
      responses: {
        202: '{ id (campaign), messageId, status }; a replay carries Idempotent-Replayed: true', 400: 'Missing key, invalid body, number, sender, gateway or variables',
        409: 'The recipient cannot receive it (opted out of everything)', 422: 'Idempotency-Key reused with different parameters',
      },
      handle: async (req, res) => {
        const key = parseInput(idempotencyHeaders, req.headers, 'headers')['idempotency-key'];
        const body = parseInput(messageBody, req.body, 'body');
        const to = e164(body.to, app.config.DEFAULT_COUNTRY).e164;
        const route = checkRoute(app, body.sender, body.gateway);
        // Everything that can be wrong with the request fails here, before a key is recorded (as Stripe: validation errors are not stored).
        compileTemplate(body.text, { campaignVariables: Object.keys(body.variables) });
        const answer = await keys.run(key, () => sendSingleOnce(app, key, fingerprint(req.body), { to, text: body.text, variables: body.variables, kind: 'transactional', ...route }));
        if (answer.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(answer.status).json(answer.body);
      },
    },
  ];
}
