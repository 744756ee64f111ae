import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { LifecycleItem } from '../../application/lifecycleFeed.js';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import { toBrowserFrame } from '../../domain/browserFrame.js';
import type { ObservationFrame } from '../../domain/observation.js';
import type { HostConfig } from '../hostConfig.js';
import { RuntimeWorkerParamsSchema, WorkerIdParamsSchema } from '../httpSchemas.js';
import { sendError, sendResult } from '../replies.js';
import { EncodedFrames } from '../encodedFrames.js';
import { SseSink, sseMessage } from '../sseSink.js';
import { pumpFrames } from '../streamPump.js';
import { WsSink } from '../wsSink.js';
import { invalidRequest } from './validation.js';

const CursorQuerySchema = z.strictObject({ after: z.string().min(1).max(128).optional() });

/** The cursor to resume after: `?after=` first, else the standard `Last-Event-ID` header. */
function resumeCursor(request: FastifyRequest): { ok: true; after: string | undefined } | { ok: false; error: z.ZodError } {
  const query = CursorQuerySchema.safeParse(request.query ?? {});
  if (!query.success) return { ok: false, error: query.error };
  const header = request.headers['last-event-id'];
  const fromHeader = typeof header === 'string' && header.length > 0 ? header : undefined;
  const after = query.data.after ?? fromHeader;
  if (after !== undefined && after.length > 128) return { ok: false, error: new z.ZodError([{ code: 'custom', path: ['after'], message: 'cursor too long', input: undefined }]) };
  return { ok: true, after };
}

function encodeObservationSse(frame: ObservationFrame): string {
  const browser = toBrowserFrame(frame);
  switch (browser.type) {
    case 'observation':
      return sseMessage('observation', browser, browser.cursor);
    case 'lagged':
      // The id makes a reconnecting EventSource resume exactly after the last frame it got.
      return sseMessage('lagged', browser, browser.resumeAfter);
    default:
      return sseMessage(browser.type, browser);
  }
}

function encodeObservationWs(frame: ObservationFrame): string {
  return JSON.stringify(toBrowserFrame(frame));
}

function encodeLifecycleSse(frame: LifecycleItem): string {
  if (frame.type === 'lifecycle') return sseMessage('lifecycle', frame, frame.cursor);
  return sseMessage(frame.type, frame, frame.type === 'lagged' ? frame.resumeAfter : null);
}

/** Observation streams (SSE and WebSocket) and the lifecycle stream. */
export function streamRoutes(app: FastifyInstance, runtime: WorkerRuntime, config: HostConfig): void {
  const { heartbeatMs, retryMs, drainTimeoutMs, subscriberQueue } = config.streams;
  const sseTexts = new EncodedFrames<ObservationFrame>();
  const wsTexts = new EncodedFrames<ObservationFrame>();
  // Live frames are shared objects (cacheable); replayed ones are made per subscriber (not worth caching).
  const observationSse = (frame: ObservationFrame) =>
    frame.type === 'observation' && !frame.replayed ? sseTexts.text(frame, encodeObservationSse) : encodeObservationSse(frame);
  const observationWs = (frame: ObservationFrame) =>
    frame.type === 'observation' && !frame.replayed ? wsTexts.text(frame, encodeObservationWs) : encodeObservationWs(frame);

  app.get('/v1/workers/:workerId/events', (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) return invalidRequest(reply, params.error);
    const cursor = resumeCursor(request);
    if (!cursor.ok) return invalidRequest(reply, cursor.error);
    const observed = runtime.observe(params.data.workerId, { after: cursor.after ?? null, queueLimit: subscriberQueue });
    if (!observed.ok) return sendResult(reply, observed.result);
    reply.hijack();
    const sink = new SseSink(reply.raw, heartbeatMs, retryMs, () => observed.subscription.close());
    void pumpFrames(observed.subscription, observationSse, sink, drainTimeoutMs);
  });

  app.get('/v1/runtimes/:runtimeId/workers/:workerId/events', async (request, reply) => {
    const params = RuntimeWorkerParamsSchema.safeParse(request.params);
    if (!params.success) return invalidRequest(reply, params.error);
    const cursor = resumeCursor(request);
    if (!cursor.ok) return invalidRequest(reply, cursor.error);
    const observed = await runtime.observeAcross(params.data, { after: cursor.after ?? null, queueLimit: subscriberQueue });
    if (!observed.ok) return sendResult(reply, observed.result);
    reply.hijack();
    const sink = new SseSink(reply.raw, heartbeatMs, retryMs, () => observed.subscription.close());
    void pumpFrames(observed.subscription, observationSse, sink, drainTimeoutMs);
  });

  app.get('/v1/workers/:workerId/events/ws', { websocket: true, config: { access: 'websocket' } }, (socket, request) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    const cursor = resumeCursor(request);
    const observed = params.success && cursor.ok ? runtime.observe(params.data.workerId, { after: cursor.after ?? null, queueLimit: subscriberQueue }) : null;
    if (!observed?.ok) {
      const code = observed ? observed.result.reason : 'invalid_request';
      socket.send(JSON.stringify({ type: 'error', error: { code, message: code.replaceAll('_', ' ') } }));
      socket.close(1008, code);
      return;
    }
    socket.on('close', () => observed.subscription.close());
    socket.on('message', () => undefined); // the stream is one-way; inbound messages are ignored
    void pumpFrames(observed.subscription, observationWs, new WsSink(socket), drainTimeoutMs);
  });

  app.get('/v1/events', (request, reply) => {
    const cursor = resumeCursor(request);
    if (!cursor.ok) return invalidRequest(reply, cursor.error);
    const subscription = runtime.lifecycle(cursor.after ?? null);
    const workers = cursor.after === undefined ? runtime.list() : null;
    if (runtime.summary().state !== 'running' && workers) {
      subscription.close();
      return sendError(reply, 503, 'runtime_stopped', 'the runtime is shutting down');
    }
    reply.hijack();
    const sink = new SseSink(reply.raw, heartbeatMs, retryMs, () => subscription.close());
    if (workers) sink.write(sseMessage('workers', { type: 'workers', workers }));
    void pumpFrames(subscription, encodeLifecycleSse, sink, drainTimeoutMs);
  });
}
