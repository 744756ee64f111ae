import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import type { OperationResult } from '../../domain/executionResult.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import {
  CreateWorkerBodySchema,
  CreateWorkerResponseSchema,
  InputBodySchema,
  ResultBodySchema,
  TranscriptBodySchema,
  WorkerBodySchema,
  WorkerIdParamsSchema,
  WorkersBodySchema,
  type InputBody,
} from '../httpSchemas.js';
import type { IdempotencyCache } from '../idempotencyCache.js';
import { sendError, sendJson, sendResult } from '../replies.js';
import { invalidRequest } from './validation.js';

export function toWorkerInput(body: InputBody): WorkerInput {
  if (body.kind === 'notify') return { kind: 'notify', message: body.content!, ...(body.autoRun === undefined ? {} : { autoRun: body.autoRun }) };
  return { kind: 'user', segments: body.segments ?? [{ kind: 'text', content: body.content! }] };
}

const acceptedJsonSchema = z.toJSONSchema(ResultBodySchema, { target: 'draft-07', io: 'output' });

/** Worker routes: list, get, create, input, stop, cancel, remove, transcript. */
export function workerRoutes(app: FastifyInstance, runtime: WorkerRuntime, idempotency: IdempotencyCache): void {
  app.get('/v1/workers', (_request, reply) => sendJson(reply, 200, WorkersBodySchema, { workers: runtime.list() }));

  app.get('/v1/workers/:workerId', (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) return invalidRequest(reply, params.error);
    const worker = runtime.get(params.data.workerId);
    if (!worker) return sendError(reply, 404, 'worker_not_found', 'no such Worker');
    return sendJson(reply, 200, WorkerBodySchema, { worker });
  });

  app.post('/v1/workers', async (request, reply) => {
    const body = CreateWorkerBodySchema.safeParse(request.body);
    if (!body.success) return invalidRequest(reply, body.error);
    const { initialInput, ...create } = body.data;
    const { result, worker } = await runtime.create(create);
    if (!worker || result.reason === 'create_conflict') return sendResult(reply, result);
    let inputResult: OperationResult | undefined;
    if (initialInput && result.reason === 'created') {
      inputResult = await runtime.submitInput(worker.workerId, toWorkerInput({ ...initialInput, kind: initialInput.kind }));
    }
    const status = result.reason === 'already_exists' ? 200 : 201;
    const current = runtime.get(worker.workerId) ?? worker;
    return sendJson(reply, status, CreateWorkerResponseSchema, { worker: current, result, ...(inputResult ? { inputResult } : {}) });
  });

  // The accepted answer is serialised by a compiled serializer from the result schema (cheaper than JSON.stringify).
  const accepted = { schema: { response: { 202: acceptedJsonSchema } } };
  app.post('/v1/workers/:workerId/input', accepted, async (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) return invalidRequest(reply, params.error);
    const body = InputBodySchema.safeParse(request.body);
    if (!body.success) return invalidRequest(reply, body.error);
    const { workerId } = params.data;
    const result = await idempotency.run(workerId, body.data.idempotencyKey, () => runtime.submitInput(workerId, toWorkerInput(body.data)));
    return sendResult(reply, result);
  });

  for (const operation of ['stop', 'cancel'] as const) {
    app.post(`/v1/workers/:workerId/${operation}`, async (request, reply) => {
      const params = WorkerIdParamsSchema.safeParse(request.params);
      if (!params.success) return invalidRequest(reply, params.error);
      return sendResult(reply, await runtime[operation](params.data.workerId));
    });
  }

  app.delete('/v1/workers/:workerId', async (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) return invalidRequest(reply, params.error);
    return sendResult(reply, await runtime.remove(params.data.workerId));
  });

  app.get('/v1/workers/:workerId/transcript', async (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) return invalidRequest(reply, params.error);
    const transcript = await runtime.transcript(params.data.workerId);
    if (!transcript.ok) return sendResult(reply, transcript.result);
    return sendJson(reply, 200, TranscriptBodySchema, { entries: transcript.entries, complete: transcript.complete });
  });
}
