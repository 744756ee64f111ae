import type { FastifyInstance } from 'fastify';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import { WorkerIdParamsSchema } from '../httpSchemas.js';
import { QueueBodySchema, SubmissionBodySchema, SubmissionParamsSchema } from '../queueSchemas.js';
import { sendJson, sendResult } from '../replies.js';
import { invalidRequest } from './validation.js';

/** A Worker's input queue: list it, read one submission back (waiting, being dispatched, or its outcome), cancel one. */
export function queueRoutes(app: FastifyInstance, runtime: WorkerRuntime): void {
  app.get('/v1/workers/:workerId/queue', (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    const outcome = runtime.queue(params.data.workerId);
    if (!outcome.ok) return sendResult(reply, outcome.result);
    return sendJson(reply, 200, QueueBodySchema, { queue: outcome.queue });
  });

  app.get('/v1/workers/:workerId/queue/:submissionId', (request, reply) => {
    const params = SubmissionParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    const outcome = runtime.submission(params.data.workerId, params.data.submissionId);
    if (!outcome.ok) return sendResult(reply, outcome.result);
    return sendJson(reply, 200, SubmissionBodySchema, { submission: outcome.submission });
  });

  app.delete('/v1/workers/:workerId/queue/:submissionId', { config: { operation: 'dequeue' } }, async (request, reply) => {
    const params = SubmissionParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    return sendResult(reply, await runtime.cancelQueued(params.data.workerId, params.data.submissionId));
  });
}
