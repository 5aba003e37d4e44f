/** Enough for a campaign's worth of opt-outs; the oldest are forgotten first. */
export const DEFAULT_OPT_OUT_CAPACITY = 50_000;

/**
 * Recipients who opted out of a sender, as learnt from receipts. The SMS API accepts a message to an
 * opted-out number (status 0) and only reports it in the receipt (status failed/rejected, err-code 9):
 * https://developer.vonage.com/en/opt-out-assist/guides/messaging-opted-out-numbers . Remembering the
 * pair lets the next send to it fail at once as `opted_out`, which is what the service acts on (the
 * dispatcher records the carrier opt-out) and saves a request per remaining message in a campaign.
 * In memory and per process: the consent store is the durable record.
 */
export interface OptOutMemory {
  remember(sender: string, recipient: string): void;
  /** The recipient wrote to the sender again: they may have opted back in (START), so ask Vonage again. */
  forget(sender: string, recipient: string): void;
  has(sender: string, recipient: string): boolean;
  size(): number;
}

/** Vonage ignores spaces in alphanumeric senders and writes numbers without '+'. */
function pairKey(sender: string, recipient: string): string {
  const normalise = (value: string): string => value.replace(/[\s+]/g, '').toLowerCase();
  return `${normalise(sender)}\n${normalise(recipient)}`;
}

export function createOptOutMemory(capacity = DEFAULT_OPT_OUT_CAPACITY): OptOutMemory {
  const pairs = new Set<string>();
  return {
    remember(sender, recipient) {
      const key = pairKey(sender, recipient);
      pairs.delete(key);
      pairs.add(key);
      for (const oldest of pairs) {
        if (pairs.size <= capacity) break;
        pairs.delete(oldest);
      }
    },
    forget: (sender, recipient) => void pairs.delete(pairKey(sender, recipient)),
    has: (sender, recipient) => pairs.has(pairKey(sender, recipient)),
    size: () => pairs.size,
  };
}
