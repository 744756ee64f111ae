import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import type { BusyPolicy } from '../../domain/busyPolicy.js';
import { operationResult, type OperationResult } from '../../domain/executionResult.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import {
  CreateWorkerBodySchema,
  CreateWorkerResponseSchema,
  InputBodySchema,
  isLegacyNotify,
  LEGACY_NOTIFY_MESSAGE,
  ResultBodySchema,
  TranscriptBodySchema,
  WorkerBodySchema,
  WorkerIdParamsSchema,
  WorkersBodySchema,
  type InputBody,
} from '../httpSchemas.js';
import type { IdempotencyCache } from '../idempotencyCache.js';
import { plainInputBody, plainWorkerId } from '../inputBody.js';
import { sendError, sendJson, sendResult, WORKER_NOT_FOUND } from '../replies.js';
import { InvalidRequestError, invalidRequest } from './validation.js';

type InitialInput = NonNullable<z.infer<typeof CreateWorkerBodySchema>['initialInput']>;

export function toWorkerInput(body: InputBody | InitialInput): WorkerInput {
  if (body.kind === 'notify') {
    const autoRun = 'autoRun' in body ? body.autoRun : undefined;
    return { kind: 'notify', message: body.message, ...(autoRun === undefined ? {} : { autoRun }) };
  }
  return { kind: 'user', segments: ('segments' in body ? body.segments : undefined) ?? [{ kind: 'text', content: body.content! }] };
}

const acceptedJsonSchema = z.toJSONSchema(ResultBodySchema, { target: 'draft-07', io: 'output' });
const operation = (name: 'create' | 'input' | 'stop' | 'cancel' | 'remove') => ({ config: { operation: name } });

/** Worker routes: list, get, create, input, stop, cancel, remove, transcript. */
export function workerRoutes(app: FastifyInstance, runtime: WorkerRuntime, idempotency: IdempotencyCache): void {
  app.get('/v1/workers', (_request, reply) => sendJson(reply, 200, WorkersBodySchema, { workers: runtime.list() }));

  app.get('/v1/workers/:workerId', (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    const worker = runtime.get(params.data.workerId);
    if (!worker) return sendError(reply, 404, 'worker_not_found', WORKER_NOT_FOUND);
    return sendJson(reply, 200, WorkerBodySchema, { worker });
  });

  app.post('/v1/workers', operation('create'), async (request, reply) => {
    if (isLegacyNotify((request.body as { initialInput?: unknown } | undefined)?.initialInput)) throw new InvalidRequestError(`initialInput: ${LEGACY_NOTIFY_MESSAGE}`);
    const body = CreateWorkerBodySchema.safeParse(request.body ?? {});
    if (!body.success) throw invalidRequest(body.error);
    const { initialInput, ...create } = body.data;
    const { result, worker } = await runtime.create(create);
    if (result.reason === 'create_conflict' && worker) {
      const message = `Worker ${worker.workerId} already exists with profile ${JSON.stringify(worker.profile)}`;
      return sendResult(reply, { ...result, message });
    }
    if (!worker) return sendResult(reply, result);
    let inputResult: OperationResult | undefined;
    if (initialInput && result.reason === 'created') inputResult = await runtime.submitInput(worker.workerId, toWorkerInput(initialInput));
    const status = result.reason === 'already_exists' ? 200 : 201;
    const current = runtime.get(worker.workerId) ?? worker;
    return sendJson(reply, status, CreateWorkerResponseSchema, { worker: current, result, ...(inputResult ? { inputResult } : {}) });
  });

  // The accepted answer is serialised by a compiled serializer from the result schema (cheaper than JSON.stringify).
  const input = { ...operation('input'), schema: { response: { 202: acceptedJsonSchema } } };
  // Validated once: the common bodies by a hand check equal to the schema's (inputBody.ts), the rest by the
  // schema; the Runtime's own check of the input it builds is structural (no second zod parse).
  // Not async: an input without a key is the Runtime's promise and one `then` (a refusal thrown here is answered all the same).
  app.post('/v1/workers/:workerId/input', input, (request, reply) => {
    const workerId = plainWorkerId(request.params) ?? workerIdOf(request.params);
    const body = plainInputBody(request.body) ?? inputBodyOf(request.body);
    const workerInput = toWorkerInput(body);
    const { idempotencyKey: key, busyPolicy } = body;
    if (key === undefined) return runtime.submitInput(workerId, workerInput, busyPolicy ? { busyPolicy } : undefined).then((result) => sendResult(reply, result));
    return keyedInput(runtime, idempotency, reply, workerId, workerInput, key, busyPolicy);
  });

  for (const name of ['stop', 'cancel'] as const) {
    app.post(`/v1/workers/:workerId/${name}`, operation(name), async (request, reply) => {
      const params = WorkerIdParamsSchema.safeParse(request.params);
      if (!params.success) throw invalidRequest(params.error);
      return sendResult(reply, await runtime[name](params.data.workerId));
    });
  }

  app.delete('/v1/workers/:workerId', operation('remove'), async (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    return sendResult(reply, await runtime.remove(params.data.workerId));
  });

  app.get('/v1/workers/:workerId/transcript', async (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    const transcript = await runtime.transcript(params.data.workerId);
    if (!transcript.ok) return sendResult(reply, transcript.result);
    return sendJson(reply, 200, TranscriptBodySchema, { entries: transcript.entries, complete: transcript.complete });
  });
}

function workerIdOf(params: unknown): string {
  const parsed = WorkerIdParamsSchema.safeParse(params);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data.workerId;
}

function inputBodyOf(body: unknown): InputBody {
  if (isLegacyNotify(body)) throw new InvalidRequestError(LEGACY_NOTIFY_MESSAGE);
  if (body === undefined) throw new InvalidRequestError('a JSON body is required: { "kind": "user", "content": "..." }');
  const parsed = InputBodySchema.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}

/** A keyed input: a repeat gets the first one's result (or a conflict if it was another input), through the cache. */
async function keyedInput(
  runtime: WorkerRuntime,
  idempotency: IdempotencyCache,
  reply: FastifyReply,
  workerId: string,
  workerInput: WorkerInput,
  key: string,
  busyPolicy: BusyPolicy | undefined,
): Promise<FastifyReply> {
  const options = busyPolicy ? { busyPolicy, idempotencyKey: key } : { idempotencyKey: key };
  const outcome = await idempotency.run(workerId, key, workerInput, () => runtime.submitInput(workerId, workerInput, options));
  if (!outcome.conflict) return sendResult(reply, outcome.result);
  const state = runtime.get(workerId)?.state ?? null;
  const message = 'this idempotencyKey was used for another input to this Worker';
  return sendResult(reply, operationResult('input', 'idempotency_conflict', state, { message }));
}
