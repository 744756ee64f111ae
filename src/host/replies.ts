import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { OperationResult } from '../domain/executionResult.js';
import { ErrorBodySchema } from './httpSchemas.js';
import { statusOf } from './statusOf.js';

/** The one wording for an unknown Worker, whichever route answers it. */
export const WORKER_NOT_FOUND = 'worker not found';

/** Sends a body after checking it against its response schema (a mismatch is a bug: 500, logged). */
export function sendJson<S extends z.ZodType>(reply: FastifyReply, status: number, schema: S, body: z.input<S>): FastifyReply {
  const checked = schema.safeParse(body);
  if (!checked.success) {
    reply.log.error({ issues: checked.error.issues.slice(0, 3) }, 'response failed its schema');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  }
  return reply.code(status).send(checked.data);
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, result?: OperationResult): FastifyReply {
  return sendJson(reply, status, ErrorBodySchema, result ? { error: { code, message }, result } : { error: { code, message } });
}

/** A typed result: accepted results as `{ result }`, every other one as an error body carrying it. */
export function sendResult(reply: FastifyReply, result: OperationResult): FastifyReply {
  const status = statusOf(result);
  if (status < 300) return reply.code(status).send({ result });
  const message = result.reason === 'worker_not_found' ? WORKER_NOT_FOUND : (result.message ?? result.reason.replaceAll('_', ' '));
  return sendError(reply, status, result.reason, message, result);
}
