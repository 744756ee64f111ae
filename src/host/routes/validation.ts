import type { z } from 'zod';
import { sanitizeText } from '../../domain/sanitizeText.js';

/**
 * A request the host refuses as invalid: thrown from a route or a parser, answered by the error
 * handler as 400 `invalid_request` (with the typed result on operation routes, see errorReplies.ts).
 */
export class InvalidRequestError extends Error {
  readonly statusCode = 400;
  readonly code = 'WR_INVALID_REQUEST';
}

/** The refusal for a failed parse: the first issue named (field path and message), never echoing the input. */
export function invalidRequest(error: z.ZodError): InvalidRequestError {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return new InvalidRequestError(sanitizeText(`${where}${issue?.message ?? 'invalid request'}`, 200));
}
