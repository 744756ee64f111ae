import { sanitizeDiagnostic } from '../domain/diagnostic.js';
import { operationResult, type Operation, type OperationResult, type Reason } from '../domain/executionResult.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import type { WorkerState } from '../domain/workerState.js';
import type { ControlResult } from '../ports/executionBackendPort.js';
import type { Settled } from './deadline.js';

/** A sanitised, bounded message for an error a backend threw. */
export function thrownMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : 'non-error thrown';
  return `backend call failed: ${sanitizeText(text, 256)}`;
}

/** Maps a settled control call (stop, cancel, method) to the typed result, given what `done` means. */
export function controlOutcome(
  operation: Operation,
  settled: Settled<ControlResult>,
  state: WorkerState | null,
  done: Reason,
  timeout: Reason,
): OperationResult {
  if (settled.kind === 'timeout') return operationResult(operation, timeout, state, { message: `backend did not answer ${operation} in time` });
  if (settled.kind === 'threw') return operationResult(operation, 'backend_error', state, { message: thrownMessage(settled.error) });
  const value = settled.value;
  switch (value?.status) {
    case 'done':
      return operationResult(operation, done, state);
    case 'unsupported':
      return operationResult(operation, 'operation_unsupported', state);
    case 'rejected': {
      const diagnostic = sanitizeDiagnostic(value.diagnostic);
      return operationResult(operation, 'backend_rejected', state, { diagnostic, message: diagnostic.message });
    }
    default:
      return operationResult(operation, 'backend_error', state, { message: 'backend returned an invalid result' });
  }
}
