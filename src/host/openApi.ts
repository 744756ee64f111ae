import { z } from 'zod';
import { OperationResultSchema } from '../domain/executionResult.js';
import { consoleAssets } from './routes/consoleRoutes.js';
import {
  CreateWorkerBodySchema,
  DecideBodySchema,
  CreateWorkerResponseSchema,
  ErrorBodySchema,
  HealthBodySchema,
  InputBodySchema,
  LifecycleFrameSchema,
  ResultBodySchema,
  RuntimeSummarySchema,
  StreamFrameSchema,
  TranscriptBodySchema,
  WorkerBodySchema,
  WorkersBodySchema,
  WsErrorFrameSchema,
} from './httpSchemas.js';
import { QueueBodySchema, SubmissionBodySchema } from './queueSchemas.js';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });
const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: schema(s, io) } });
const response = (description: string, s: z.ZodType) => ({ description, content: json(s) });

/** A refusal on an operation route carries the typed result; one before the route ran (auth, host, origin) does not. */
const OperationErrorBodySchema = ErrorBodySchema.extend({ result: OperationResultSchema });
const DESCRIPTIONS: Record<number, string> = {
  400: 'invalid request (`invalid_request`; a body nested too deep, invalid JSON with its position, a bad field, a malformed cursor)',
  401: 'missing or wrong bearer token (`unauthorized`)',
  403: 'host name or browser origin not allowed (`host_not_allowed`, `origin_not_allowed`)',
  404: 'no such Worker (`worker_not_found`), or no such queued input (`submission_not_found`)',
  409: 'busy or rejected (`result.outcome` says which; `run_in_flight`, `queue_full`, `create_conflict`, `idempotency_conflict`, `policy_not_allowed`, ...)',
  413: "body larger than the host's bodyLimitBytes (`body_too_large`)",
  415: 'the body is not application/json (`unsupported_media_type`)',
  426: 'the WebSocket route without an upgrade (`upgrade_required`)',
  501: 'the backend cannot do this (`unsupported`)',
  502: 'the backend failed or timed out (`errored`)',
  503: 'the runtime is shutting down (`runtime_stopped`)',
};
const refusals = (withResult: number[], plain: number[] = [401, 403]) => ({
  ...Object.fromEntries(plain.map((code) => [String(code), response(DESCRIPTIONS[code]!, ErrorBodySchema)])),
  ...Object.fromEntries(withResult.map((code) => [String(code), response(`${DESCRIPTIONS[code]!}; carries the typed result`, OperationErrorBodySchema)])),
});
const refusalsWithoutResult = (codes: number[]) => refusals([], [401, 403, ...codes]);

const workerId = { name: 'workerId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } };
const submissionId = { name: 'submissionId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } };
const runtimeId = { ...workerId, name: 'runtimeId' };
const decisionId = { name: 'decisionId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' } };
const after = { name: 'after', in: 'query', required: false, schema: { type: 'string', maxLength: 128 }, description: 'resume after this cursor (Last-Event-ID wins when both are sent)' };
const lastEventId = { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } };
const operation = (summary: string, extra: number[] = []) => ({
  summary,
  parameters: [workerId],
  responses: { '202': response('accepted', ResultBodySchema), ...refusals([400, 404, 409, 413, 415, 501, 502, 503, ...extra]) },
});
const sse = (summary: string, frames: z.ZodType, parameters: unknown[], codes: number[]) => ({
  summary,
  parameters,
  responses: {
    '200': {
      description: 'text/event-stream; each message `data:` is one frame as JSON; observation messages carry `id: <cursor>`',
      content: { 'text/event-stream': { schema: schema(frames) } },
    },
    ...refusals(codes),
  },
});
const asset = (summary: string, type: string) => ({ get: { summary, security: [], responses: { '200': { description: summary, content: { [type]: { schema: { type: 'string' } } } }, ...refusalsWithoutResult([]) } } });

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the routes use.
 * Every operation answers 405 (`method_not_allowed`, with `Allow`) for a method its path does not
 * serve, and 404 `route_not_found` for a path that does not exist.
 */
export function buildOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'worker-runtime host', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { summary: 'liveness (no token)', security: [], responses: { '200': response('ok, or stopping', HealthBodySchema), ...refusalsWithoutResult([]) } } },
      ...Object.fromEntries(consoleAssets().map((a) => [a.path, asset(`the console: ${a.path === '/' ? 'page' : a.path} (no token)`, a.type.split(';')[0]!)])),
      '/v1/openapi.json': { get: { summary: 'this document', responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, ...refusalsWithoutResult([]) } } },
      '/v1/runtime': { get: { summary: 'runtime summary', responses: { '200': response('summary', RuntimeSummarySchema), ...refusalsWithoutResult([]) } } },
      '/v1/workers': {
        get: { summary: 'list Workers (projections)', responses: { '200': response('workers', WorkersBodySchema), ...refusalsWithoutResult([]) } },
        post: {
          summary: 'create a Worker (idempotent on workerId)',
          requestBody: { required: true, content: json(CreateWorkerBodySchema, 'input') },
          responses: {
            '201': response('created (a Worker exists; result says whether it is connected)', CreateWorkerResponseSchema),
            '200': response('already existed with this profile', CreateWorkerResponseSchema),
            ...refusals([400, 409, 413, 415, 503]),
          },
        },
      },
      '/v1/workers/{workerId}': {
        get: { summary: 'one Worker', parameters: [workerId], responses: { '200': response('worker', WorkerBodySchema), ...refusalsWithoutResult([400, 404]) } },
        delete: operation('remove a Worker that is not live'),
      },
      '/v1/workers/{workerId}/input': {
        post: {
          ...operation('submit input'),
          requestBody: { required: true, content: json(InputBodySchema, 'input') },
          responses: {
            ...operation('submit input').responses,
            '202': response('accepted (`committed`), or queued behind a busy run (`outcome: queued`, with `submissionId` and `position`)', ResultBodySchema),
          },
        },
      },
      '/v1/workers/{workerId}/queue': {
        get: {
          summary: "the Worker's input queue: its busy policy and the waiting inputs with their positions",
          parameters: [workerId],
          responses: { '200': response('queue', QueueBodySchema), ...refusalsWithoutResult([400]), ...refusals([404], []) },
        },
      },
      '/v1/workers/{workerId}/queue/{submissionId}': {
        get: {
          summary: 'one queued input: waiting (with its position), being dispatched, or its one final outcome (`settlement`)',
          parameters: [workerId, submissionId],
          responses: { '200': response('submission', SubmissionBodySchema), ...refusalsWithoutResult([400]), ...refusals([404], []) },
        },
        delete: {
          summary: 'cancel a queued input that has not been handed to the backend',
          parameters: [workerId, submissionId],
          responses: { '202': response('cancelled (`result.reason: cancelled`)', ResultBodySchema), ...refusals([400, 404, 409, 503]) },
        },
      },
      '/v1/workers/{workerId}/stop': { post: operation('stop the Worker') },
      '/v1/workers/{workerId}/cancel': { post: operation('cancel the current run') },
      '/v1/workers/{workerId}/decisions/{decisionId}': {
        post: {
          ...operation('answer a pending decision with one of its options (pendingDecisions on the projection)'),
          parameters: [workerId, decisionId],
          requestBody: { required: true, content: json(DecideBodySchema, 'input') },
        },
      },
      '/v1/workers/{workerId}/transcript': {
        get: {
          summary: 'transcript derived from observations',
          parameters: [workerId],
          responses: { '200': response('transcript', TranscriptBodySchema), ...refusalsWithoutResult([400]), ...refusals([404], []) },
        },
      },
      '/v1/workers/{workerId}/events': { get: sse('observation stream (SSE)', StreamFrameSchema, [workerId, after, lastEventId], [400, 404]) },
      '/v1/workers/{workerId}/events/ws': {
        get: {
          summary:
            'observation stream (WebSocket, one JSON frame per message); browsers authenticate with subprotocols ["worker-runtime.v1", "bearer.<token>"] on the upgrade',
          parameters: [workerId, after],
          responses: {
            '101': {
              description:
                'switching protocols; then one frame per message (the stream frames). A subscription that cannot start (unknown Worker, malformed cursor) gets one error frame, then close code 1008 with the code as reason',
              content: { 'application/json': { schema: schema(z.union([StreamFrameSchema, WsErrorFrameSchema])) } },
            },
            '400': response('not a valid WebSocket handshake (`invalid_upgrade`)', ErrorBodySchema),
            ...refusalsWithoutResult([426]),
          },
        },
      },
      '/v1/runtimes/{runtimeId}/workers/{workerId}/events': {
        get: sse('observation stream of a Worker owned by another Runtime sharing this bus and catalog (SSE)', StreamFrameSchema, [runtimeId, workerId, after, lastEventId], [400, 404]),
      },
      '/v1/events': { get: sse('Worker lifecycle changes (SSE); first a `workers` message unless resuming', LifecycleFrameSchema, [after, lastEventId], [400, 503]) },
    },
  };
}
