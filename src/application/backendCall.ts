import type { ClockPort } from '../ports/clockPort.js';
import { withDeadline, type DeadlineHooks, type Settled } from './deadline.js';
import type { CallKind, WorkerRecord } from './workerRecord.js';

export type CallOutcome<T> = Settled<T> | { readonly kind: 'outstanding' };
export type LateOutcome<T> = Exclude<Settled<T>, { kind: 'timeout' }>;

const OUTSTANDING: CallOutcome<never> = { kind: 'outstanding' };

/**
 * One per-Worker backend call of `kind`, with its deadline. A deadline is not an answer: once a call
 * timed out, further calls of that kind answer `outstanding` (without reaching the backend) until
 * it settles, or until the execution is released (stop, removal, shutdown), which drops the wait.
 * Subclasses say what a timeout and a late answer mean; the call object is its own wait token.
 */
export class BackendCall<T> implements DeadlineHooks<T> {
  constructor(
    protected readonly record: WorkerRecord,
    private readonly kind: CallKind,
  ) {}

  run(clock: ClockPort, ms: number, call: (signal: AbortSignal) => Promise<T>, controller?: AbortController): Promise<CallOutcome<T>> {
    if (this.record.awaits(this.kind)) return Promise.resolve(OUTSTANDING);
    return withDeadline(clock, ms, call, undefined, controller, this);
  }

  onTimeout(): void {
    (this.record.outstanding ??= new Map()).set(this.kind, this);
    this.timedOut();
  }

  onLateSettle(late: LateOutcome<T>): void {
    if (this.record.outstanding?.get(this.kind) !== this) return; // released meanwhile: nothing left to reconcile
    this.record.outstanding.delete(this.kind);
    this.settledLate(late);
  }

  /** Runs as the deadline fires, before any late answer can arrive. */
  protected timedOut(): void {}

  /** The answer of the timed-out call, while the execution is still the same. */
  protected settledLate(late: LateOutcome<T>): void {
    void late;
  }
}
