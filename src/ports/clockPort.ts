import type { ServiceIdentifier } from 'inversify';

/** Time for the Runtime: wall-clock milliseconds and cancellable timers, swappable in tests. */
export interface ClockPort {
  now(): number;
  /**
   * Optional: wall-clock milliseconds read cheaply, for stamping many events (the memory bus stamps
   * each observation with it). It may lag `now()` by at most one tick of the event loop (it is re-read
   * once per tick and every few hundred calls). Without it, `now()` is used.
   */
  coarseNow?(): number;
  /** Calls `callback` after `ms` (never before; an implementation may coalesce long timers and fire them slightly late); the returned function cancels it. */
  setTimer(ms: number, callback: () => void): () => void;
}

export const ClockPort: ServiceIdentifier<ClockPort> = Symbol.for('worker-runtime/ClockPort');
