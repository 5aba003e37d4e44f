import { AppError } from '../common/errors.js';
import type { Store } from '../store/port.js';

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/**
 * Refuses to plan or send more while the store is past its size budget (STORE_MAX_MB), saying why
 * and how to make room. Reading (reports, lists, exports) never calls this: it works at any size, and
 * a campaign already sending finishes.
 */
export function assertStoreRoom(store: Store): void {
  const usage = store.usage?.();
  if (!usage || usage.bytes <= usage.maxBytes) return;
  throw new AppError(
    'STORE_TOO_LARGE',
    `The embedded store in ${store.describe().location} holds ${mb(usage.bytes)} MB, over its budget of ${mb(usage.maxBytes)} MB (STORE_MAX_MB): no new sends until there is room.`,
    {
      hint: 'Archive finished campaigns to free their space (smsbridge campaign archive <id>, or campaign archive --older-than <days>; their reports stay), move to the PostgreSQL store by setting DATABASE_URL, or raise STORE_MAX_MB if you accept slower writes. Reports, lists and exports keep working meanwhile.',
    },
  );
}
