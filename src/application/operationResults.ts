import type { z } from 'zod';
import { operationResult, type Operation, type OperationResult } from '../domain/executionResult.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import type { WorkerState } from '../domain/workerState.js';

/** The Worker named does not exist here. */
/** The store (catalog or bus) could not be reached: not the same as "no such Worker". */
export function storeUnavailable(message: string): OperationResult {
  return operationResult('observe', 'store_unavailable', null, { message });
}

export function notFound(operation: Operation): OperationResult {
  return operationResult(operation, 'worker_not_found', null);
}

/** A caller's argument failed its schema: the first issue, sanitised, as `invalid_request`. */
export function invalid(operation: Operation, error: z.ZodError, state: WorkerState | null): OperationResult {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return operationResult(operation, 'invalid_request', state, { message: sanitizeText(`${where}${issue?.message ?? 'invalid'}`, 256) });
}

export type Argument<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly result: OperationResult };

/**
 * Parses a caller's argument with its schema. Any JS value gets an answer: one whose reading throws
 * (getters, proxies) is `invalid_request` like one that does not match.
 */
export function parseArgument<T>(schema: z.ZodType<T>, value: unknown, operation: Operation, state: WorkerState | null): Argument<T> {
  try {
    const parsed = schema.safeParse(value);
    return parsed.success ? { ok: true, data: parsed.data } : { ok: false, result: invalid(operation, parsed.error, state) };
  } catch {
    return { ok: false, result: operationResult(operation, 'invalid_request', state, { message: 'the argument could not be read' }) };
  }
}
