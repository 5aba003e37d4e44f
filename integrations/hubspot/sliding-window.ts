/**
 * At most `limit` requests in any window of `windowMs`, as the server counts them. The server sees a
 * request somewhere between the moment we start it and the moment its answer arrives, so a slot is
 * stamped with the start and moved to the answer's arrival when it comes (`settle`): a slow first
 * request (a cold connection) can then never make the 101st land inside the server's window. The ring
 * holds the last `limit` requests; one more fits once the earliest stamp among them has left the window.
 */
export class SlidingWindow {
  private readonly stamps: number[];
  /** Which request each slot holds now, so a late settle never touches a reused slot. */
  private readonly owners: number[];
  private next = 0;
  private filled = 0;
  private sequence = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.stamps = new Array<number>(limit).fill(0);
    this.owners = new Array<number>(limit).fill(-1);
  }

  /** Milliseconds until one more request fits; 0 when it fits now. */
  waitMs(now: number): number {
    if (this.filled < this.limit) return 0;
    let earliest = Infinity;
    for (const stamp of this.stamps) if (stamp < earliest) earliest = stamp;
    return Math.max(0, earliest + this.windowMs - now);
  }

  /** Takes a slot; returns a ticket for `settle`. */
  record(now: number): { slot: number; owner: number } {
    const slot = this.next;
    const owner = this.sequence++;
    this.stamps[slot] = now;
    this.owners[slot] = owner;
    this.next = (this.next + 1) % this.limit;
    if (this.filled < this.limit) this.filled += 1;
    return { slot, owner };
  }

  /** The request's answer arrived (or it failed) at `now`. */
  settle(ticket: { slot: number; owner: number }, now: number): void {
    if (this.owners[ticket.slot] === ticket.owner) this.stamps[ticket.slot] = Math.max(this.stamps[ticket.slot] as number, now);
  }
}
