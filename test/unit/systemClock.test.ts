import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COARSE_TIMER_GRANULARITY_MS, SystemClock } from '../../src/adapters/system/systemClock.js';

describe('SystemClock timers', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('long timers share one Node timer per slot and fire never early, at most one slot late', () => {
    const clock = new SystemClock();
    const armed = vi.spyOn(globalThis, 'setTimeout');
    const fired: number[] = [];
    const start = performance.now();
    for (let i = 0; i < 1_000; i++) clock.setTimer(15_000, () => void fired.push(performance.now() - start));
    expect(armed.mock.calls.length).toBeLessThanOrEqual(2); // 1000 waits in the same few microseconds: one slot (two if it straddles an edge)
    vi.advanceTimersByTime(15_000 - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(COARSE_TIMER_GRANULARITY_MS + 1);
    expect(fired).toHaveLength(1_000);
    for (const at of fired) {
      expect(at).toBeGreaterThanOrEqual(15_000);
      expect(at).toBeLessThanOrEqual(15_000 + COARSE_TIMER_GRANULARITY_MS);
    }
  });

  it('a cancelled long timer never fires; the others of its slot do', () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    const cancelA = clock.setTimer(2_000, () => void fired.push('a'));
    clock.setTimer(2_000, () => void fired.push('b'));
    const cancelC = clock.setTimer(2_000, () => void fired.push('c'));
    cancelA();
    vi.advanceTimersByTime(1_000);
    cancelC();
    vi.advanceTimersByTime(1_000 + COARSE_TIMER_GRANULARITY_MS);
    expect(fired).toEqual(['b']);
  });

  it('the same callback registered twice fires twice; a throwing callback does not stop the rest of its slot', () => {
    const clock = new SystemClock();
    let calls = 0;
    const callback = (): void => void calls++;
    clock.setTimer(5_000, () => {
      throw new Error('boom');
    });
    clock.setTimer(5_000, callback);
    clock.setTimer(5_000, callback);
    // Rethrown on its own (as a throwing timer's callback would be), after the slot's other waits ran.
    expect(() => vi.advanceTimersByTime(5_000 + COARSE_TIMER_GRANULARITY_MS)).toThrow('boom');
    expect(calls).toBe(2);
  });

  it('short timers keep their own exact Node timer', () => {
    const clock = new SystemClock();
    const fired: number[] = [];
    const start = performance.now();
    clock.setTimer(7, () => void fired.push(performance.now() - start));
    const cancel = clock.setTimer(5, () => void fired.push(-1));
    cancel();
    vi.advanceTimersByTime(6);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([7]);
  });
});
