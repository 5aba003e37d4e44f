import { z } from 'zod';
import type { Clock } from '../../src/common/clock.js';
import type { Store } from '../../src/store/port.js';

const pendingSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  requester: z.string(),
  channel: z.string(),
  /** The latest response_url that can replace the requester's ephemeral preview. */
  responseUrl: z.string(),
  target: z.string(),
  kind: z.enum(['marketing', 'transactional']),
  recipients: z.number(),
  needsApproval: z.boolean(),
  status: z.enum(['previewing', 'ready', 'awaiting_approval', 'started', 'rejected', 'canceled', 'expired']),
  approval: z.object({ channel: z.string(), ts: z.string(), expiresAt: z.string(), decidedBy: z.string().optional() }).optional(),
  createdAt: z.string(),
});
/** A `/sms send` between its preview and its end: survives a restart (store.integrationState). */
export type PendingBlast = z.infer<typeof pendingSchema>;

const threadSchema = z.object({ channel: z.string(), ts: z.string(), phone: z.string(), contactId: z.string().optional() });
/** The Slack thread that holds one contact's conversation. */
export type ContactThread = z.infer<typeof threadSchema>;

const postedSchema = z.object({ channel: z.string(), ts: z.string() });

const startedBySchema = z.object({ user: z.string(), responseUrl: z.string(), at: z.string() });
export type StartedBy = z.infer<typeof startedBySchema>;

/** The Slack integration's durable records, namespaced `slack:*` in the store's integration state. */
export class SlackState {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async pending(id: string): Promise<PendingBlast | undefined> {
    return this.read(`slack:pending:${id}`, pendingSchema);
  }

  async savePending(blast: PendingBlast): Promise<void> {
    await this.write(`slack:pending:${blast.id}`, blast);
  }

  /** The thread of a contact (keyed by contact id, or by number for strangers). */
  async threadOf(contactKey: string): Promise<ContactThread | undefined> {
    return this.read(`slack:thread:${contactKey}`, threadSchema);
  }

  /** The contact whose conversation a thread holds, if any: replies elsewhere are not SMS. */
  async threadAt(channel: string, ts: string): Promise<ContactThread | undefined> {
    return this.read(`slack:thread-ts:${channel}:${ts}`, threadSchema);
  }

  async saveThread(contactKey: string, thread: ContactThread): Promise<void> {
    await this.write(`slack:thread:${contactKey}`, thread);
    await this.write(`slack:thread-ts:${thread.channel}:${thread.ts}`, thread);
  }

  /** The "campaign started" message, updated when the campaign finishes. */
  async startedMessage(campaignId: string): Promise<{ channel: string; ts: string } | undefined> {
    return this.read(`slack:started:${campaignId}`, postedSchema);
  }

  async saveStartedMessage(campaignId: string, posted: { channel: string; ts: string }): Promise<void> {
    await this.write(`slack:started:${campaignId}`, posted);
  }

  /** Who started a campaign from Slack, and where their status message is (for the notifications). */
  async startedBy(campaignId: string): Promise<StartedBy | undefined> {
    return this.read(`slack:started-by:${campaignId}`, startedBySchema);
  }

  async saveStartedBy(campaignId: string, started: StartedBy): Promise<void> {
    await this.write(`slack:started-by:${campaignId}`, started);
  }

  private async read<T>(id: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const record = await this.store.integrationState.get(id);
    if (!record) return undefined;
    const parsed = schema.safeParse(record.data);
    return parsed.success ? parsed.data : undefined;
  }

  private async write(id: string, data: unknown): Promise<void> {
    await this.store.integrationState.put({ id, data, at: this.clock.now().toISOString() });
    await this.store.flush();
  }
}
