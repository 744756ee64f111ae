import type { OperationResult } from '../domain/executionResult.js';

/** Operations the backend suite drives in every lifecycle state. */
export type ConformanceOp = 'input' | 'cancel' | 'stop' | 'method' | 'snapshot';
export type Expectation = readonly [OperationResult['outcome'], OperationResult['reason']];

export interface DeclaredCapabilities {
  readonly stop: boolean;
  readonly cancel: boolean;
  readonly method: boolean;
  readonly snapshot: boolean;
}

/** The typed result each operation must give in `state`, for an adapter declaring `caps`. */
export function expectationsFor(state: string, caps: DeclaredCapabilities): Record<ConformanceOp, Expectation> {
  const unsupported: Expectation = ['unsupported', 'operation_unsupported'];
  const refused = (reason: OperationResult['reason']): Record<ConformanceOp, Expectation> => ({
    input: ['rejected', reason],
    cancel: ['rejected', reason],
    stop: ['rejected', reason],
    method: ['rejected', reason],
    snapshot: ['rejected', reason],
  });
  const connected = (input: Expectation, cancel: Expectation): Record<ConformanceOp, Expectation> => ({
    input,
    cancel: caps.cancel ? cancel : unsupported,
    stop: caps.stop ? ['accepted', 'stopped'] : unsupported,
    method: caps.method ? ['accepted', 'dispatched'] : unsupported,
    snapshot: caps.snapshot ? ['accepted', 'snapshot'] : unsupported,
  });
  switch (state) {
    case 'starting':
      return refused('worker_starting');
    case 'stopping':
      return refused('worker_stopping');
    case 'stopped':
      return { ...refused('worker_stopped'), stop: ['accepted', 'already_stopped'] };
    case 'unavailable':
      return { ...refused('execution_unavailable'), stop: ['accepted', 'stopped'] };
    case 'idle':
      return connected(['accepted', 'committed'], ['rejected', 'not_running']);
    default: // busy
      return connected(['busy', 'run_in_flight'], ['accepted', 'cancelled']);
  }
}
