import type { FastifyInstance } from 'fastify';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import { DecideBodySchema, DecisionParamsSchema } from '../httpSchemas.js';
import { sendResult } from '../replies.js';
import { InvalidRequestError, invalidRequest } from './validation.js';

/** A person's answer to a question a Worker's backend asked: `POST /v1/workers/:workerId/decisions/:decisionId` `{ optionId }`. */
export function decisionRoutes(app: FastifyInstance, runtime: WorkerRuntime): void {
  app.post('/v1/workers/:workerId/decisions/:decisionId', { config: { operation: 'decide' } }, async (request, reply) => {
    const params = DecisionParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    if (request.body === undefined) throw new InvalidRequestError('a JSON body is required: { "optionId": "..." }');
    const body = DecideBodySchema.safeParse(request.body);
    if (!body.success) throw invalidRequest(body.error);
    return sendResult(reply, await runtime.decide(params.data.workerId, params.data.decisionId, body.data.optionId));
  });
}
