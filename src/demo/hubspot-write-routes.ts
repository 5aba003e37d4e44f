import type { StandInContact, StandInRoute } from './hubspot-stand-in.js';

/** A communication the demo's HubSpot received. */
export interface DemoCommunication {
  id: string;
  contactId: string;
  body: string;
  timestamp: string;
}

/** What the write-back and the workflow action wrote to the stand-in, kept so the demo can show it. */
export interface DemoWrites {
  communications: Map<string, DemoCommunication>;
  callbacks: Array<{ callbackId: string; outputFields: Record<string, string> }>;
  route: StandInRoute;
}

type Inputs<T> = { inputs: T[] };

/**
 * Stand-in routes for the HubSpot writes of sms-bridge: communications (batch create and update),
 * contact property updates (applied to the stand-in's contacts) and workflow callback completions.
 */
export function demoWriteRoutes(contacts: StandInContact[]): DemoWrites {
  const communications = new Map<string, DemoCommunication>();
  const callbacks: DemoWrites['callbacks'] = [];
  const route: StandInRoute = ({ method, path, body }) => {
    if (method !== 'POST') return undefined;
    if (path === '/crm/v3/objects/communications/batch/create') {
      const { inputs } = body as Inputs<{ objectWriteTraceId: string; properties: Record<string, string>; associations: Array<{ to: { id: string } }> }>;
      const results = inputs.map((input) => {
        const id = String(9_000_001 + communications.size);
        communications.set(id, { id, contactId: input.associations[0]?.to.id ?? '', body: input.properties.hs_communication_body ?? '', timestamp: input.properties.hs_timestamp ?? '' });
        return { id, objectWriteTraceId: input.objectWriteTraceId, properties: input.properties, createdAt: input.properties.hs_timestamp, updatedAt: input.properties.hs_timestamp };
      });
      return { status: 201, body: { status: 'COMPLETE', results } };
    }
    if (path === '/crm/v3/objects/communications/batch/update') {
      for (const input of (body as Inputs<{ id: string; properties: Record<string, string> }>).inputs) {
        const found = communications.get(input.id);
        if (found && input.properties.hs_communication_body !== undefined) found.body = input.properties.hs_communication_body;
      }
      return { status: 200, body: { status: 'COMPLETE', results: [] } };
    }
    if (path === '/crm/v3/objects/contacts/batch/update') {
      for (const input of (body as Inputs<{ id: string; properties: Record<string, string> }>).inputs) {
        const found = contacts.find((contact) => contact.id === input.id);
        if (found) Object.assign(found.properties, input.properties);
      }
      return { status: 200, body: { status: 'COMPLETE', results: [] } };
    }
    if (path === '/automation/v4/actions/callbacks/complete') {
      callbacks.push(...(body as Inputs<DemoWrites['callbacks'][number]>).inputs);
      return { status: 204, body: undefined };
    }
    return undefined;
  };
  return { communications, callbacks, route };
}
