import type { Clock } from '../common/clock.js';
import type { Store } from '../store/port.js';
import type { FilterNode, Segment } from './filter.js';

/** Saves (or replaces) a segment, keeping its creation time when replaced; for the CLI and the REST API. */
export async function saveSegment(
  input: { name: string; filter: FilterNode; description?: string },
  deps: { store: Store; clock: Clock },
): Promise<{ segment: Segment; replaced: boolean }> {
  const now = deps.clock.now().toISOString();
  const previous = await deps.store.segments.get(input.name);
  const segment: Segment = {
    name: input.name, filter: input.filter, createdAt: previous?.createdAt ?? now, updatedAt: now,
    ...(input.description ? { description: input.description } : {}),
  };
  await deps.store.segments.put(segment);
  return { segment, replaced: previous !== undefined };
}
