import type { ClockPort } from '../ports/clockPort.js';

export type Settled<T> = { kind: 'ok'; value: T } | { kind: 'threw'; error: unknown } | { kind: 'timeout' };

/** What happens around a deadline: `onTimeout` runs as it fires, `onLateSettle` with whatever the call settled to after it. */
export interface DeadlineHooks<T> {
  onTimeout?(): void;
  onLateSettle?(outcome: Exclude<Settled<T>, { kind: 'timeout' }>): void;
}

/**
 * Runs one backend call with a deadline. The call gets an AbortSignal that fires at the deadline; a
 * call that throws (even synchronously) settles as `threw`. A value that arrives after the deadline
 * goes to `onLate` (so a late spawn can be stopped, never orphaned). A caller on a hot path may pass a
 * controller it reuses for sequential calls until one is aborted. `hooks` see the timeout as it fires
 * and any late outcome (a late throw too), in that order.
 */
export function withDeadline<T>(
  clock: ClockPort,
  ms: number,
  call: (signal: AbortSignal) => Promise<T>,
  onLate?: (value: T) => void,
  controller: AbortController = new AbortController(),
  hooks?: DeadlineHooks<T>,
): Promise<Settled<T>> {
  return new Promise<Settled<T>>((resolve) => {
    let settled = false;
    const cancelTimer = clock.setTimer(ms, () => {
      if (settled) return;
      settled = true;
      controller.abort(new Error('deadline exceeded'));
      hooks?.onTimeout?.();
      resolve({ kind: 'timeout' });
    });
    const finish = (outcome: Settled<T>): void => {
      if (settled) {
        if (outcome.kind === 'ok' && onLate) onLate(outcome.value);
        if (outcome.kind !== 'timeout') hooks?.onLateSettle?.(outcome);
        return;
      }
      settled = true;
      cancelTimer();
      resolve(outcome);
    };
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call(controller.signal));
    } catch (error) {
      finish({ kind: 'threw', error });
      return;
    }
    pending.then(
      (value) => finish({ kind: 'ok', value }),
      (error: unknown) => finish({ kind: 'threw', error }),
    );
  });
}
