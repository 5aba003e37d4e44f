import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local HubSpot for `smsbridge demo --hubspot`, on 127.0.0.1:<free port>: contact pages,
 * contact properties, the token check, and what the write-back and the workflow action write
 * (communications, contact updates, callback completions), kept so the demo can show them. No rate
 * limit, no search: the demo syncs in full and sends little.
 */
export interface DemoHubSpotContact {
  id: string;
  properties: Record<string, string>;
}

export interface DemoCommunication {
  id: string;
  contactId: string;
  body: string;
  timestamp: string;
}

export interface DemoHubSpot {
  url: string;
  contacts: DemoHubSpotContact[];
  communications: Map<string, DemoCommunication>;
  callbacks: Array<{ callbackId: string; outputFields: Record<string, string> }>;
  requests: number;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown };

export async function startDemoHubSpot(contacts: DemoHubSpotContact[]): Promise<DemoHubSpot> {
  const properties = new Set(['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'city', 'hs_timezone']);
  const state: DemoHubSpot = { url: '', contacts, communications: new Map(), callbacks: [], requests: 0, close: async () => undefined };
  const route = (method: string, url: URL, body: any): Answer => { // eslint-disable-line @typescript-eslint/no-explicit-any -- the stand-in trusts its one client
    const path = url.pathname;
    if (method === 'GET' && path === '/crm/v3/objects/contacts') {
      if (url.searchParams.get('archived') === 'true') return { status: 200, body: { results: [] } };
      const wanted = url.searchParams.getAll('properties').flatMap((p) => p.split(',')).filter(Boolean);
      const size = Math.min(Number(url.searchParams.get('limit') ?? 10), 100);
      const start = Number(url.searchParams.get('after') ?? 0);
      const page = contacts.slice(start, start + size).map((c) => ({
        id: c.id, archived: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
        properties: { hs_object_id: c.id, lastmodifieddate: '2026-01-01T00:00:00.000Z', ...Object.fromEntries(wanted.filter((w) => w in c.properties).map((w) => [w, c.properties[w]])) },
      }));
      return { status: 200, body: { results: page, ...(start + size < contacts.length ? { paging: { next: { after: String(start + size) } } } : {}) } };
    }
    if (path === '/crm/v3/properties/contacts') {
      if (method === 'GET') return { status: 200, body: { results: [...properties].map((name) => ({ name })) } };
      properties.add(body.name);
      return { status: 201, body };
    }
    if (path === '/crm/v3/properties/contacts/groups') return method === 'GET' ? { status: 200, body: { results: [] } } : { status: 201, body };
    if (path === '/oauth/v2/private-apps/get/access-token-info') return { status: 200, body: { hubId: 1, scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.write', 'crm.lists.read'] } };
    if (method === 'POST' && path === '/crm/v3/objects/communications/batch/create') {
      const results = body.inputs.map((input: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- as sent by the SDK
        const id = String(9_000_000 + state.communications.size + 1);
        state.communications.set(id, { id, contactId: input.associations[0].to.id, body: input.properties.hs_communication_body, timestamp: input.properties.hs_timestamp });
        return { id, objectWriteTraceId: input.objectWriteTraceId, properties: input.properties, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
      });
      return { status: 201, body: { status: 'COMPLETE', results } };
    }
    if (method === 'POST' && path === '/crm/v3/objects/communications/batch/update') {
      for (const input of body.inputs) {
        const found = state.communications.get(input.id);
        if (found) found.body = input.properties.hs_communication_body;
      }
      return { status: 200, body: { status: 'COMPLETE', results: [] } };
    }
    if (method === 'POST' && path === '/crm/v3/objects/contacts/batch/update') {
      for (const input of body.inputs) {
        const found = contacts.find((c) => c.id === input.id);
        if (found) Object.assign(found.properties, input.properties);
      }
      return { status: 200, body: { status: 'COMPLETE', results: [] } };
    }
    if (method === 'POST' && path === '/automation/v4/actions/callbacks/complete') {
      state.callbacks.push(...body.inputs);
      return { status: 204, body: undefined };
    }
    return { status: 404, body: { status: 'error', message: `No route ${method} ${path} in the demo HubSpot` } };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests += 1;
      let answer: Answer;
      try {
        answer = route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://demo'), chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
      } catch (error) {
        answer = { status: 400, body: { status: 'error', message: error instanceof Error ? error.message : String(error) } };
      }
      res.writeHead(answer.status, answer.body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}
