import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { manualTimers, realTimers } from '../../src/delivery/timers.js';

describe('manualTimers', () => {
  it('fires due timers in time order, moving the clock to each due time', () => {
    const clock = fixedClock('2026-03-02T10:00:00.000Z');
    const timers = manualTimers(clock);
    const fired: string[] = [];
    const log = (name: string) => () => fired.push(`${name}@${clock.now().toISOString().slice(17, 23)}`);
    timers.setTimeout(log('late'), 300);
    timers.setTimeout(log('early'), 100);
    timers.setTimeout(log('same-a'), 200);
    timers.setTimeout(log('same-b'), 200);
    timers.advance(250);
    expect(fired).toEqual(['early@00.100', 'same-a@00.200', 'same-b@00.200']);
    expect(clock.now().toISOString()).toBe('2026-03-02T10:00:00.250Z');
    expect(timers.pending()).toBe(1);
  });

  it('does not fire cleared timers, and runAll also fires timers scheduled by timers', () => {
    const clock = fixedClock('2026-03-02T10:00:00.000Z');
    const timers = manualTimers(clock);
    const fired: number[] = [];
    const handle = timers.setTimeout(() => fired.push(1), 10);
    timers.clearTimeout(handle);
    timers.setTimeout(() => timers.setTimeout(() => fired.push(clock.now().getTime() % 1000), 500), 100);
    timers.runAll();
    expect(fired).toEqual([600]);
    expect(timers.pending()).toBe(0);
  });

  it('refuses to run forever when a timer keeps rescheduling itself', () => {
    const timers = manualTimers(fixedClock('2026-03-02T10:00:00.000Z'));
    const again = (): void => void timers.setTimeout(again, 1);
    again();
    expect(() => timers.runAll()).toThrow('reschedules forever');
  });
});

describe('realTimers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('uses the global timers at call time, so vitest fake timers control them', () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    realTimers.setTimeout(() => fired.push('kept'), 50);
    realTimers.clearTimeout(realTimers.setTimeout(() => fired.push('cleared'), 10));
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['kept']);
  });
});
