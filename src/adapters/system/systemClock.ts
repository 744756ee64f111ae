import { injectable } from 'inversify';
import type { ClockPort } from '../../ports/clockPort.js';

/** Calls of `coarseNow()` served from one reading at most (bounds the lag within one long synchronous run). */
const COARSE_READS = 256;

/** Timers of at least this long share coarse slots; shorter ones get their own Node timer. */
export const COARSE_TIMER_FROM_MS = 1_000;
/** The slot width of coarse timers: such a timer fires at most this much after its time, never before. */
export const COARSE_TIMER_GRANULARITY_MS = 10;

interface Slot {
  readonly at: number;
  readonly callbacks: Set<{ readonly callback: () => void }>;
}

/**
 * Wall-clock time and Node timers (unref'd: a pending deadline never keeps the process alive).
 * Deadlines of a second or more (every backend call has one) are coalesced: their due times are
 * rounded up to a 10 ms slot and each slot has one Node timer, however many waits fall in it. So a
 * Runtime dispatching thousands of inputs a second arms at most ~100 timers a second instead of one
 * per input; a cancelled wait is a set deletion. Such a timer fires up to 10 ms late (plus event-loop
 * delay), never early.
 */
@injectable()
export class SystemClock implements ClockPort {
  private readonly slots = new Map<number, Slot>();
  private coarse = 0;
  /** Reads left from the current coarse reading; 0: read the clock again. */
  private coarseLeft = 0;
  private readonly expire = (): void => void (this.coarseLeft = 0);

  now(): number {
    return Date.now();
  }

  /** `Date.now()` read once per tick (the reading expires in a microtask) and every COARSE_READS calls. */
  coarseNow(): number {
    if (this.coarseLeft === 0) {
      this.coarse = Date.now();
      queueMicrotask(this.expire);
    }
    this.coarseLeft = this.coarseLeft === 0 ? COARSE_READS - 1 : this.coarseLeft - 1;
    return this.coarse;
  }

  setTimer(ms: number, callback: () => void): () => void {
    if (!(ms >= COARSE_TIMER_FROM_MS)) {
      const timer = setTimeout(callback, ms);
      timer.unref?.();
      return () => clearTimeout(timer);
    }
    const index = Math.ceil((performance.now() + ms) / COARSE_TIMER_GRANULARITY_MS);
    let slot = this.slots.get(index);
    if (!slot) {
      slot = { at: index * COARSE_TIMER_GRANULARITY_MS, callbacks: new Set() };
      this.slots.set(index, slot);
      this.arm(index, slot);
    }
    const entry = { callback };
    const callbacks = slot.callbacks;
    callbacks.add(entry);
    return () => void callbacks.delete(entry);
  }

  private arm(index: number, slot: Slot): void {
    const timer = setTimeout(() => this.fire(index, slot), Math.max(0, slot.at - performance.now()));
    timer.unref?.();
  }

  private fire(index: number, slot: Slot): void {
    // Node may run a timer up to a millisecond before its time by this clock: then wait the rest.
    if (performance.now() < slot.at) return this.arm(index, slot);
    this.slots.delete(index);
    for (const { callback } of slot.callbacks) {
      try {
        callback();
      } catch (error) {
        // As a throwing timer callback would: uncaught, but the other waits of the slot still fire.
        setImmediate(() => {
          throw error;
        });
      }
    }
    slot.callbacks.clear();
  }
}
