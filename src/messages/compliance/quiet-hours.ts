import { AppError } from '../../common/errors.js';
import { localParts } from '../../contacts/timezone.js';
import { clockMinutes, quietWindowSchema } from './policy.js';

/**
 * Quiet hours in the recipient's local time (CONTRACTS.md Part B §6.1, §6.5 item 4, §7 step 4): a
 * message due inside the window is deferred to its end, never dropped; with several candidate zones
 * the send time must be outside the window in every one of them.
 *
 * Exact across DST: the end of the window is a local wall time converted with the zone's real
 * offset at that instant (re-checked after a jump), and a wall time that does not exist (spring
 * gap) resolves to the first instant after the gap. Wall times are minute-precise (localParts).
 */

export type QuietHoursResult =
  | { ok: true; sendAfter: Date | null /* null = now is fine */; zones: string[]; certain: boolean }
  | { ok: false; reason: 'no_common_window'; zones: string[] };

/** How far ahead to look for an instant that suits every zone before giving up. */
const HORIZON_MS = 48 * 3_600_000;
const MINUTE_MS = 60_000;

interface CompiledWindow {
  start: number;
  end: number;
  /** start === end: no quiet hours at all. */
  none: boolean;
  crossesMidnight: boolean;
}

function compileWindow(window: { start: string; end: string }): CompiledWindow {
  const parsed = quietWindowSchema.safeParse(window);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', `Invalid quiet hours ${JSON.stringify(window)}: start and end must be 24-hour local times HH:MM`, {
      hint: 'For example { start: "21:00", end: "09:00" }; start equal to end means no quiet hours.',
    });
  }
  const start = clockMinutes(parsed.data.start);
  const end = clockMinutes(parsed.data.end);
  return { start, end, none: start === end, crossesMidnight: start > end };
}

function isQuiet(minuteOfDay: number, w: CompiledWindow): boolean {
  if (w.none) return false;
  return w.crossesMidnight ? minuteOfDay >= w.start || minuteOfDay < w.end : minuteOfDay >= w.start && minuteOfDay < w.end;
}

/** The local wall clock at `ms`, as the epoch number of those fields read as UTC (minute precision). */
function wallOf(zone: string, ms: number): number {
  const p = localParts(new Date(ms), zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
}

function floorMinute(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/** UTC offset in ms at `ms`: whole minutes for every zone in use today. */
function offsetOf(zone: string, ms: number): number {
  return wallOf(zone, ms) - floorMinute(ms);
}

/**
 * The earliest instant whose wall clock in `zone` reads `wall`, starting from the offset in force
 * at the caller's instant (so in the repeated autumn hour the occurrence at or after it is chosen).
 * When `wall` falls in a spring-forward gap, the instant the gap ends: the first one that reads later.
 */
function wallToInstant(zone: string, wall: number, hintOffset: number): number {
  const first = wall - hintOffset;
  const firstOffset = offsetOf(zone, first);
  if (firstOffset === hintOffset) return first;
  const second = wall - firstOffset;
  if (offsetOf(zone, second) === firstOffset) return second;
  // In the gap: wall time grows monotonically between the two guesses, so bisect by minutes.
  let lo = Math.min(first, second);
  let hi = Math.max(first, second);
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallOf(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The earliest instant ≥ t outside the quiet window in one zone. */
function nextAllowedIn(zone: string, t: number, w: CompiledWindow): number {
  const p = localParts(new Date(t), zone);
  const minuteOfDay = p.hour * 60 + p.minute;
  if (!isQuiet(minuteOfDay, w)) return t;
  // After the start of a midnight-crossing window the window ends tomorrow; otherwise today.
  const dayShift = w.crossesMidnight && minuteOfDay >= w.start ? 1 : 0;
  const wall = Date.UTC(p.year, p.month - 1, p.day + dayShift, 0, w.end);
  const hintOffset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - floorMinute(t);
  const end = wallToInstant(zone, wall, hintOffset);
  // Guarantees progress even for an offset history this code did not foresee; the caller re-checks.
  return end > t ? end : t + MINUTE_MS;
}

/** Earliest instant ≥ at outside the window in every zone, or undefined when none within the horizon. */
function earliestCommon(atMs: number, zones: readonly string[], w: CompiledWindow): number | undefined {
  const limit = atMs + HORIZON_MS;
  let t = atMs;
  // Each zone pushes t to the end of its current quiet spell; stop when a full pass moves nothing.
  for (;;) {
    let moved = false;
    for (const zone of zones) {
      const next = nextAllowedIn(zone, t, w);
      if (next !== t) {
        t = next;
        moved = true;
        if (t > limit) return undefined;
      }
    }
    if (!moved) return t;
  }
}

function requireInput(at: Date, zones: readonly string[]): void {
  if (Number.isNaN(at.getTime())) throw new AppError('VALIDATION_FAILED', 'Quiet hours need a valid send time; got an invalid Date');
  if (zones.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Quiet hours need at least one time zone', {
      hint: 'Pass candidateZones(contact, defaultZone).zones.',
    });
  }
}

function decide(at: Date, zones: readonly string[], w: CompiledWindow): QuietHoursResult {
  requireInput(at, zones);
  const frozen = Object.freeze([...zones]) as string[];
  const atMs = at.getTime();
  const found = w.none ? atMs : earliestCommon(atMs, zones, w);
  if (found === undefined) return { ok: false, reason: 'no_common_window', zones: frozen };
  return { ok: true, sendAfter: found === atMs ? null : new Date(found), zones: frozen, certain: zones.length === 1 };
}

/**
 * Whether a message due at `at` may go now, or from when. `certain` is true when one zone decided;
 * whether that zone itself is a guess is the caller's knowledge (candidateZones().certain).
 */
export function quietHoursDecision(at: Date, zones: readonly string[], window: { start: string; end: string }): QuietHoursResult {
  return decide(at, zones, compileWindow(window));
}

export type QuietHoursChecker = (at: Date, zones: readonly string[]) => QuietHoursResult;

/** Bounds the memo: a plan has one `at` and a few hundred zone sets, a long-running process more. */
const MAX_CACHED = 20_000;

/**
 * quietHoursDecision for one window, memoised per (at, zones): a plan asks for 100,000 recipients
 * with the same `at` and only a handful of distinct zone lists. Each call returns a fresh object
 * and Date (callers may keep or adjust them); the zones array is shared and frozen.
 */
export function createQuietHoursChecker(window: { start: string; end: string }): QuietHoursChecker {
  const w = compileWindow(window);
  const byAt = new Map<number, Map<string, QuietHoursResult>>();
  let size = 0;
  return (at, zones) => {
    const atMs = at.getTime();
    const key = zones.length === 1 ? (zones[0] as string) : zones.join('\n');
    let result = byAt.get(atMs)?.get(key);
    if (result === undefined) {
      result = decide(at, zones, w);
      if (size >= MAX_CACHED) {
        byAt.clear();
        size = 0;
      }
      let byZones = byAt.get(atMs);
      if (byZones === undefined) {
        byZones = new Map();
        byAt.set(atMs, byZones);
      }
      byZones.set(key, result);
      size += 1;
    }
    if (!result.ok) return { ...result };
    return { ...result, sendAfter: result.sendAfter === null ? null : new Date(result.sendAfter.getTime()) };
  };
}
