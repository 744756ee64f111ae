import type { ServiceIdentifier } from 'inversify';

/** Time for the Runtime: wall-clock milliseconds and cancellable timers, swappable in tests. */
export interface ClockPort {
  now(): number;
  /** Calls `callback` after `ms` (never before; an implementation may coalesce long timers and fire them slightly late); the returned function cancels it. */
  setTimer(ms: number, callback: () => void): () => void;
}

export const ClockPort: ServiceIdentifier<ClockPort> = Symbol.for('worker-runtime/ClockPort');
