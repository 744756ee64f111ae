import { z } from 'zod';
import {
  CreateWorkerBodySchema,
  CreateWorkerResponseSchema,
  ErrorBodySchema,
  InputBodySchema,
  LifecycleFrameSchema,
  ResultBodySchema,
  RuntimeSummarySchema,
  StreamFrameSchema,
  TranscriptBodySchema,
  WorkerBodySchema,
  WorkersBodySchema,
} from './httpSchemas.js';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});
const response = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), response('error (code and, for operations, the typed result)', ErrorBodySchema)]));
const workerId = { name: 'workerId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } };
const after = { name: 'after', in: 'query', required: false, schema: { type: 'string', maxLength: 128 }, description: 'resume after this cursor' };
const lastEventId = { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } };
const operation = (summary: string) => ({
  summary,
  parameters: [workerId],
  responses: { '202': response('accepted', ResultBodySchema), ...errors(400, 401, 404, 409, 501, 502, 503) },
});
const sse = (summary: string, frames: z.ZodType, parameters: unknown[]) => ({
  summary,
  parameters,
  responses: {
    '200': {
      description: 'text/event-stream; each message `data:` is one frame as JSON; observation messages carry `id: <cursor>`',
      content: { 'text/event-stream': { schema: z.toJSONSchema(frames, { unrepresentable: 'any' }) } },
    },
    ...errors(400, 401, 404),
  },
});

/** The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the routes use. */
export function buildOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'worker-runtime host', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { summary: 'liveness', security: [], responses: { '200': { description: 'ok' } } } },
      '/v1/runtime': { get: { summary: 'runtime summary', responses: { '200': response('summary', RuntimeSummarySchema), ...errors(401) } } },
      '/v1/workers': {
        get: { summary: 'list Workers (projections)', responses: { '200': response('workers', WorkersBodySchema), ...errors(401) } },
        post: {
          summary: 'create a Worker (idempotent on workerId)',
          requestBody: { required: true, content: json(CreateWorkerBodySchema, 'input') },
          responses: {
            '201': response('created (a Worker exists; result says whether it is connected)', CreateWorkerResponseSchema),
            '200': response('already existed with this profile', CreateWorkerResponseSchema),
            ...errors(400, 401, 409, 503),
          },
        },
      },
      '/v1/workers/{workerId}': {
        get: { summary: 'one Worker', parameters: [workerId], responses: { '200': response('worker', WorkerBodySchema), ...errors(400, 401, 404) } },
        delete: operation('remove a Worker that is not live'),
      },
      '/v1/workers/{workerId}/input': {
        post: { ...operation('submit input'), requestBody: { required: true, content: json(InputBodySchema, 'input') } },
      },
      '/v1/workers/{workerId}/stop': { post: operation('stop the Worker') },
      '/v1/workers/{workerId}/cancel': { post: operation('cancel the current run') },
      '/v1/workers/{workerId}/transcript': {
        get: { summary: 'transcript derived from observations', parameters: [workerId], responses: { '200': response('transcript', TranscriptBodySchema), ...errors(400, 401, 404) } },
      },
      '/v1/workers/{workerId}/events': { get: sse('observation stream (SSE)', StreamFrameSchema, [workerId, after, lastEventId]) },
      '/v1/workers/{workerId}/events/ws': {
        get: {
          summary: 'observation stream (WebSocket, one JSON frame per message); browsers authenticate with subprotocols ["worker-runtime.v1", "bearer.<token>"]',
          parameters: [workerId, after],
          responses: { '101': { description: 'switching protocols' }, ...errors(400, 401, 404) },
        },
      },
      '/v1/runtimes/{runtimeId}/workers/{workerId}/events': {
        get: sse('observation stream of a Worker owned by another Runtime sharing this bus and catalog (SSE)', StreamFrameSchema, [
          { name: 'runtimeId', in: 'path', required: true, schema: { type: 'string' } },
          workerId,
          after,
          lastEventId,
        ]),
      },
      '/v1/events': { get: sse('Worker lifecycle changes (SSE)', LifecycleFrameSchema, [after, lastEventId]) },
    },
  };
}
