import { randomUUID } from 'node:crypto';

/**
 * A new id in the UUID version 7 layout: the first 48 bits are the time in milliseconds, the other
 * 74 random (as random as a version 4 UUID's 122 bits, for any use that needs unguessable ids: here
 * none; ids only need to be unique). Ids made later sort later, so in a database index new rows are
 * added at the end, in the few pages already in memory, instead of anywhere in an index of a million
 * rows (each insert a page to read, dirty and write back). `now`: epoch milliseconds (the Clock's).
 */
export function timeOrderedId(now: number): string {
  const random = randomUUID();
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  // random: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; keep from the version digit's successor on.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
