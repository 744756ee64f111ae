import { operationResult, type Operation, type OperationResult, type Reason } from '../domain/executionResult.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import type { WorkerState } from '../domain/workerState.js';
import { parseControlAnswer } from './backendAnswers.js';
import type { Settled } from './deadline.js';

/** Longest backend text handed to the sanitiser (it bounds its output; this bounds its work). */
const MAX_FREE_TEXT = 4096;

/** Backend free text, bounded before and after sanitising; null when it is not a string. */
export function backendText(text: unknown, maxLength: number): string | null {
  return typeof text === 'string' ? sanitizeText(text.slice(0, MAX_FREE_TEXT), maxLength) : null;
}

/** A sanitised, bounded message for an error a backend threw (reading it may throw too). */
export function thrownMessage(error: unknown): string {
  let text: string | null;
  try {
    text = backendText(error instanceof Error ? error.message : error, 256) ?? (error instanceof Error ? 'an error without a message' : 'non-error thrown');
  } catch {
    text = 'an error that could not be read';
  }
  return `backend call failed: ${text}`;
}

/** Maps a settled control call (stop, cancel, method) to the typed result, given what `done` means. */
export function controlOutcome(
  operation: Operation,
  settled: Settled<unknown>,
  state: WorkerState | null,
  done: Reason,
  timeout: Reason,
): OperationResult {
  if (settled.kind === 'timeout') return operationResult(operation, timeout, state, { message: `backend did not answer ${operation} in time` });
  if (settled.kind === 'threw') return operationResult(operation, 'backend_error', state, { message: thrownMessage(settled.error) });
  const answer = parseControlAnswer(settled.value, operation);
  if (!answer.ok) return operationResult(operation, 'backend_protocol_error', state, { message: answer.message });
  switch (answer.value.status) {
    case 'done':
      return operationResult(operation, done, state);
    case 'unsupported':
      return operationResult(operation, 'operation_unsupported', state);
    case 'rejected': {
      const { diagnostic } = answer.value;
      return operationResult(operation, 'backend_rejected', state, { diagnostic, message: diagnostic.message });
    }
  }
}
