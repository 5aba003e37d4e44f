import type { MessageRepository } from '../port.js';

/**
 * The outbox as far as planning needs it. Until the sending engine records messages, there is
 * nothing sent or planned, so every frequency count starts at zero; tests seed times with `record`.
 */
export class MemoryMessages implements MessageRepository {
  private readonly marketing = new Map<string, Date[]>();

  record(contactId: string, at: Date): void {
    const times = this.marketing.get(contactId);
    if (times) times.push(at);
    else this.marketing.set(contactId, [at]);
  }

  async marketingSendTimes(contactIds: readonly string[], since: Date): Promise<Map<string, Date[]>> {
    const found = new Map<string, Date[]>();
    for (const id of contactIds) {
      const times = this.marketing.get(id)?.filter((at) => at >= since);
      if (times && times.length > 0) found.set(id, times);
    }
    return found;
  }
}
