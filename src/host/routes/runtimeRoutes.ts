import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import { RuntimeSummarySchema } from '../httpSchemas.js';
import { buildOpenApi } from '../openApi.js';
import { sendJson } from '../replies.js';

const CONSOLE_DIR = new URL('../../../console/', import.meta.url);
const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/** The only routes that need no token (every other route does: see auth.ts). */
const PUBLIC = { config: { access: 'public' } } as const;

/** Health, runtime summary, OpenAPI document and the console's static files. */
export function runtimeRoutes(app: FastifyInstance, runtime: WorkerRuntime, version: string): void {
  const openApi = buildOpenApi(version);
  app.get('/healthz', PUBLIC, (_request, reply) => reply.send({ status: runtime.summary().state === 'running' ? 'ok' : 'stopping' }));
  app.get('/v1/runtime', (_request, reply) => sendJson(reply, 200, RuntimeSummarySchema, runtime.summary()));
  app.get('/v1/openapi.json', (_request, reply) => reply.send(openApi));

  const serve = async (name: string, reply: import('fastify').FastifyReply) => {
    const body = await readFile(new URL(name, CONSOLE_DIR));
    return reply
      .header('content-type', ASSETS[name])
      .header('content-security-policy', "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(body);
  };
  app.get('/', PUBLIC, (_request, reply) => serve('index.html', reply));
  app.get('/console.js', PUBLIC, (_request, reply) => serve('console.js', reply));
  app.get('/console.css', PUBLIC, (_request, reply) => serve('console.css', reply));
}
