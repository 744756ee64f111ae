import type { ClockPort } from '../ports/clockPort.js';
import { withDeadline, type Settled } from './deadline.js';
import type { CallKind, WorkerRecord } from './workerRecord.js';

export type CallOutcome<T> = Settled<T> | { readonly kind: 'outstanding' };

export interface CallOptions<T> {
  /** Reused for sequential calls until a deadline aborts it (the dispatch hot path). */
  readonly controller?: AbortController;
  /** Runs as the deadline fires, before any late answer can arrive. */
  readonly onTimeout?: () => void;
  /** The answer of a timed-out call, if it comes while the execution is still the same. */
  readonly onLate?: (late: Exclude<Settled<T>, { kind: 'timeout' }>) => void;
}

/**
 * One per-Worker backend call of `kind`, with its deadline. A deadline is not an answer: once a call
 * timed out, further calls of that kind answer `outstanding` (without reaching the backend) until
 * it settles, or until the execution is released (stop, removal, shutdown), which drops the wait.
 */
export function callBackend<T>(
  clock: ClockPort,
  record: WorkerRecord,
  kind: CallKind,
  ms: number,
  call: (signal: AbortSignal) => Promise<T>,
  options: CallOptions<T> = {},
): Promise<CallOutcome<T>> {
  if (record.awaits(kind)) return Promise.resolve({ kind: 'outstanding' });
  const attempt = {};
  return withDeadline(clock, ms, call, undefined, options.controller, {
    onTimeout: () => {
      (record.outstanding ??= new Map()).set(kind, attempt);
      options.onTimeout?.();
    },
    onLateSettle: (late) => {
      if (record.outstanding?.get(kind) !== attempt) return; // released meanwhile: nothing left to reconcile
      record.outstanding.delete(kind);
      options.onLate?.(late);
    },
  });
}
