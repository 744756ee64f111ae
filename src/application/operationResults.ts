import type { z } from 'zod';
import { operationResult, type Operation, type OperationResult } from '../domain/executionResult.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import type { WorkerState } from '../domain/workerState.js';

/** The Worker named does not exist here. */
export function notFound(operation: Operation): OperationResult {
  return operationResult(operation, 'worker_not_found', null);
}

/** A caller's argument failed its schema: the first issue, sanitised, as `invalid_request`. */
export function invalid(operation: Operation, error: z.ZodError, state: WorkerState | null): OperationResult {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return operationResult(operation, 'invalid_request', state, { message: sanitizeText(`${where}${issue?.message ?? 'invalid'}`, 256) });
}
