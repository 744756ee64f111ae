import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { sanitizeText } from '../../domain/sanitizeText.js';
import { sendError } from '../replies.js';

/** 400 with the first issue named (field path and message), never echoing the input. */
export function invalidRequest(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return sendError(reply, 400, 'invalid_request', sanitizeText(`${where}${issue?.message ?? 'invalid request'}`, 200));
}
