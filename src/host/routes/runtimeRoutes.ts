import type { FastifyInstance } from 'fastify';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import { RuntimeSummarySchema } from '../httpSchemas.js';
import { buildOpenApi } from '../openApi.js';
import { sendJson } from '../replies.js';

/** Routes that need no token (every other route does: see auth.ts); the console's files are the others (consoleRoutes.ts). */
const PUBLIC = { config: { access: 'public' } } as const;

/** Health, runtime summary and the OpenAPI document. */
export function runtimeRoutes(app: FastifyInstance, runtime: WorkerRuntime, version: string): void {
  const openApi = buildOpenApi(version);
  app.get('/healthz', PUBLIC, (_request, reply) => reply.send({ status: runtime.summary().state === 'running' ? 'ok' : 'stopping' }));
  app.get('/v1/runtime', (_request, reply) => sendJson(reply, 200, RuntimeSummarySchema, runtime.summary()));
  app.get('/v1/openapi.json', (_request, reply) => reply.send(openApi));
}
