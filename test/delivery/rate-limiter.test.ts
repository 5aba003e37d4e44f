import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/common/random.js';
import { InFlightWindow } from '../../src/delivery/in-flight-window.js';
import { GatewayPacer } from '../../src/delivery/rate-limiter.js';
import { maxInWindow } from '../helpers/windows.js';

/**
 * Sends one-segment messages through a pacer for `ms` of simulated time, waking when it says to, each
 * wake `late()` ms late (a loaded event loop); returns the start times.
 */
function simulate(pacer: GatewayPacer, ms: number, late: () => number = () => 0, start = 1_000_000): number[] {
  const starts: number[] = [];
  let now = start;
  while (now < start + ms) {
    const wait = pacer.tryTake(1, now);
    if (wait === 0) starts.push(now);
    else now += wait + late();
  }
  return starts;
}

describe('GatewayPacer: even pacing', () => {
  for (const rate of [10, 100, 500, 1000]) {
    it(`at ${rate}/s: never more than the rate in any one-second window, the first included, and at least 0.98 of it`, () => {
      const starts = simulate(new GatewayPacer(() => rate), 5000);
      expect(maxInWindow(starts)).toBeLessThanOrEqual(rate);
      // The first second alone: no burst at the start.
      expect(starts.filter((t) => t < (starts[0] as number) + 1000).length).toBeLessThanOrEqual(rate);
      const achieved = (starts.length - 1) / (((starts.at(-1) as number) - (starts[0] as number)) / 1000);
      expect(achieved / rate).toBeGreaterThanOrEqual(0.98);
      expect(achieved / rate).toBeLessThanOrEqual(1);
    });
  }

  it('spreads sends over the second instead of a burst at its start: at most ~1/10 of the rate in any 100 ms', () => {
    const starts = simulate(new GatewayPacer(() => 100), 3000);
    expect(maxInWindow(starts, 100)).toBeLessThanOrEqual(11);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    // One every ~10.1 ms (1 / (0.99 × 100)), on a whole-millisecond clock.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(9);
  });

  it('late timers catch up within the strict window: the rate holds and no window is over it', () => {
    const random = seededRandom(7);
    for (const rate of [100, 1000]) {
      const starts = simulate(new GatewayPacer(() => rate), 10_000, () => Math.floor(random() * 4));
      expect(maxInWindow(starts)).toBeLessThanOrEqual(rate);
      const achieved = (starts.length - 1) / (((starts.at(-1) as number) - (starts[0] as number)) / 1000);
      expect(achieved / rate).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('keeps a margin for latency jitter: any 1,010 ms at the sender holds at most the rate', () => {
    const starts = simulate(new GatewayPacer(() => 1000), 5000, () => 3);
    expect(maxInWindow(starts, 1010)).toBeLessThanOrEqual(1000);
  });

  it('a stalled event loop loses no throughput and releases no burst: missed slots are made up at 1.5 × the rate', () => {
    let wakes = 0;
    // Every 200th wake-up comes 40 ms late (a long synchronous task, a GC pause): 5 stalls a second.
    const starts = simulate(new GatewayPacer(() => 1000), 5000, () => ((wakes += 1) % 200 === 0 ? 40 : 0));
    // Dropping the slots of each stall (as a 5 ms catch-up cap did) held this to 0.85 of the rate.
    const achieved = (starts.length - 1) / (((starts.at(-1) as number) - (starts[0] as number)) / 1000);
    expect(achieved / 1000).toBeGreaterThanOrEqual(0.98);
    // After the start (which may use 10 ms of slots at once): at most 5 ms of the catch-up pace at once
    // (1.5 × 5 slots), and at most 1.5 × the rate over any 10 ms plus that.
    const later = starts.filter((t) => t >= (starts[0] as number) + 20);
    const sameMs = new Map<number, number>();
    for (const t of later) sameMs.set(t, (sameMs.get(t) ?? 0) + 1);
    expect(Math.max(...sameMs.values())).toBeLessThanOrEqual(8);
    expect(maxInWindow(later, 10)).toBeLessThanOrEqual(23);
    expect(maxInWindow(starts, 1010)).toBeLessThanOrEqual(1000);
  });

  it('gives up slots missed more than catchUpMs ago', () => {
    // Pacing at 0.9 of the rate, so the strict window does not bind and the made-up slots show.
    const pacer = new GatewayPacer(() => 1000, { catchUpMs: 100, headroom: 0.9 });
    const first = simulate(pacer, 1000);
    // 700 ms without a wake-up (under a second: not a fresh start), then two seconds of sending.
    const resumed = simulate(pacer, 2000, () => 0, (first.at(-1) as number) + 700);
    // Two seconds of slots (1,800) plus 100 ms of them made up (90), not 700 ms of them (630).
    expect(resumed.length).toBeGreaterThanOrEqual(1885);
    expect(resumed.length).toBeLessThanOrEqual(1895);
    expect(maxInWindow([...first, ...resumed], 1010)).toBeLessThanOrEqual(1000);
  });

  it('widens the strict window by the measured spread of answer times, within its bounds', () => {
    const random = seededRandom(11);
    const pacer = new GatewayPacer(() => 1000);
    // Answers within 30-34 ms: even enough for the default 10 ms margin.
    for (let i = 0; i < 400; i += 1) pacer.observeLatency(30 + random() * 4);
    expect(pacer.windowMargin()).toBe(10);
    // 30-45 ms: requests may reach the gateway up to ~14 ms apart from where they were sent.
    for (let i = 0; i < 200; i += 1) pacer.observeLatency(30 + random() * 15);
    expect(pacer.windowMargin()).toBeGreaterThanOrEqual(13);
    expect(pacer.windowMargin()).toBeLessThanOrEqual(15);
    // 30-130 ms: capped at 20 ms, so the rate still reaches ~0.98.
    for (let i = 0; i < 200; i += 1) pacer.observeLatency(30 + random() * 100);
    expect(pacer.windowMargin()).toBe(20);
    const starts = simulate(pacer, 5000, () => Math.floor(random() * 2));
    expect(maxInWindow(starts, 1020)).toBeLessThanOrEqual(1000);
    const achieved = (starts.length - 1) / (((starts.at(-1) as number) - (starts[0] as number)) / 1000);
    expect(achieved / 1000).toBeGreaterThanOrEqual(0.975);
    // Even again: back to the narrow margin.
    for (let i = 0; i < 200; i += 1) pacer.observeLatency(30);
    expect(pacer.windowMargin()).toBe(10);
  });

  it('with a widened margin, sends reaching the gateway up to that much unevenly still make no second over the rate', () => {
    const random = seededRandom(5);
    const pacer = new GatewayPacer(() => 500);
    for (let i = 0; i < 200; i += 1) pacer.observeLatency(30 + random() * 20);
    let wakes = 0;
    const starts = simulate(pacer, 10_000, () => ((wakes += 1) % 50 === 0 ? Math.floor(random() * 30) : Math.floor(random() * 2)));
    // Each arrives 0-19 ms after it started.
    const arrivals = starts.map((t) => t + random() * 19);
    expect(maxInWindow(arrivals)).toBeLessThanOrEqual(500);
  });

  it('honours a rate share read at every decision (another instance takes half, later all of it)', () => {
    let share = 50;
    const calls: number[] = [];
    const pacer = new GatewayPacer(() => {
      calls.push(share);
      return share;
    });
    const first = simulate(pacer, 4000);
    expect(maxInWindow(first)).toBeLessThanOrEqual(50);
    expect(first.length).toBeGreaterThan(190);
    share = 100;
    const second = simulate(pacer, 4000, () => 0, (first.at(-1) as number) + 1);
    expect(calls.length).toBeGreaterThan(first.length + second.length);
    // Once the window has moved past the slower sends, the new share is used in full, and never exceeded.
    expect(maxInWindow(second)).toBeLessThanOrEqual(100);
    expect(second.filter((t) => t >= (second[0] as number) + 1000).length).toBeGreaterThan(290);
  });

  it('a throttling answer pauses it until the given time', () => {
    const pacer = new GatewayPacer(() => 100);
    expect(pacer.tryTake(1, 1000)).toBe(0);
    pacer.pause(6000);
    expect(pacer.pausedTill()).toBe(6000);
    expect(pacer.tryTake(1, 2000)).toBe(4000);
  });
});

describe('InFlightWindow: sized by Little\'s law', () => {
  it('rate × measured latency × 2 (+1), following the latency as it is measured', () => {
    const window = new InFlightWindow({ cap: 500, initialLatencyMs: 30 });
    expect(window.size(1000)).toBe(61);
    expect(window.size(500)).toBe(31);
    expect(window.size(100)).toBe(7);
    // The gateway slows down: the measured latency follows, and the window grows with it, so the rate holds.
    for (let i = 0; i < 100; i += 1) window.observe(80);
    expect(window.latency()).toBeCloseTo(80, 0);
    expect(window.size(1000)).toBeGreaterThanOrEqual(161);
    expect(window.size(1000)).toBeLessThanOrEqual(162);
    // Before any answer the window assumes 100 ms: wide enough to find out.
    expect(new InFlightWindow({ cap: 500 }).size(1000)).toBe(201);
  });

  it('never above the configured cap, never below one', () => {
    const window = new InFlightWindow({ cap: 10, initialLatencyMs: 30 });
    expect(window.size(1000)).toBe(10);
    window.setCap(100);
    expect(window.size(1000)).toBe(61);
    const fast = new InFlightWindow({ cap: 10, initialLatencyMs: 0 });
    expect(fast.size(1)).toBe(1);
  });

  it('a fixed cap of 10 would hold a 30 ms gateway to ~330/s; the sized window carries 1,000/s', () => {
    const window = new InFlightWindow({ cap: 100, initialLatencyMs: 30 });
    const carried = (inFlight: number): number => inFlight / 0.03;
    expect(carried(10)).toBeLessThan(400);
    expect(carried(window.size(1000))).toBeGreaterThanOrEqual(1000);
  });
});
