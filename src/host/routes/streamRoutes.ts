import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { LifecycleItem } from '../../application/lifecycleFeed.js';
import type { WorkerRuntime } from '../../application/workerRuntime.js';
import { toBrowserFrame } from '../../domain/browserFrame.js';
import { decodeCursor } from '../../domain/cursor.js';
import { operationResult } from '../../domain/executionResult.js';
import type { ObservationFrame } from '../../domain/observation.js';
import type { HostConfig } from '../hostConfig.js';
import { RuntimeWorkerParamsSchema, WorkerIdParamsSchema } from '../httpSchemas.js';
import { sendError, sendResult } from '../replies.js';
import { EncodedFrames, joinedText } from '../encodedFrames.js';
import { SseSink, sseMessage } from '../sseSink.js';
import { pumpFrames } from '../streamPump.js';
import type { WsKeepalive } from '../wsKeepalive.js';
import { WsSink } from '../wsSink.js';
import { InvalidRequestError, invalidRequest } from './validation.js';

const CursorQuerySchema = z.strictObject({ after: z.string().min(1).max(128).optional() });

/**
 * The cursor to resume after. `Last-Event-ID` wins over `?after=`: an EventSource opened with
 * `?after=` keeps that URL on every automatic reconnect, while the header carries the newer position.
 * The same rule for every stream: a value that is not a cursor at all is 400 `invalid_request`; a
 * well-formed cursor of another stream generation gets a `reset` frame.
 */
function resumeCursor(request: FastifyRequest): string | undefined {
  const query = CursorQuerySchema.safeParse(request.query ?? {});
  if (!query.success) throw invalidRequest(query.error);
  const header = request.headers['last-event-id'];
  const after = typeof header === 'string' && header.length > 0 ? header : query.data.after;
  if (after !== undefined && decodeCursor(after) === null) throw new InvalidRequestError('after: not a cursor (use the id of a frame this host sent)');
  return after;
}

function encodeObservationSse(frame: ObservationFrame): string {
  const browser = toBrowserFrame(frame);
  switch (browser.type) {
    case 'observation':
      return sseMessage('observation', browser, browser.cursor);
    case 'lagged':
      // The id makes a reconnecting EventSource resume exactly after the last frame it got.
      return sseMessage('lagged', browser, browser.resumeAfter);
    case 'gap':
      return sseMessage('gap', browser, browser.resumeAfter);
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
export function streamRoutes(app: FastifyInstance, runtime: WorkerRuntime, config: HostConfig, keepalive: WsKeepalive): void {
  const { heartbeatMs, retryMs, drainTimeoutMs, subscriberQueue } = config.streams;
  // Live frames are shared objects (encoded once for every subscriber); replayed ones are made per subscriber.
  const live = (frame: ObservationFrame) => frame.type === 'observation' && !frame.replayed;
  const observationSse = new EncodedFrames<ObservationFrame>(encodeObservationSse, live).joined;
  const observationWs = new EncodedFrames<ObservationFrame>(encodeObservationWs, live).each;
  const lifecycleSse = joinedText(encodeLifecycleSse);

  // A stream has no HEAD (its GET never ends): HEAD is 405 like any method the path does not serve.
  const sse = { exposeHeadRoute: false, config: { operation: 'observe' } } as const;

  app.get('/v1/workers/:workerId/events', sse, (request, reply) => {
    const params = WorkerIdParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    const observed = runtime.observe(params.data.workerId, { after: resumeCursor(request) ?? null, queueLimit: subscriberQueue });
    if (!observed.ok) return sendResult(reply, observed.result);
    reply.hijack();
    const sink = new SseSink(reply.raw, heartbeatMs, retryMs, () => observed.subscription.close());
    void pumpFrames(observed.subscription, observationSse, sink, drainTimeoutMs);
  });

  app.get('/v1/runtimes/:runtimeId/workers/:workerId/events', sse, async (request, reply) => {
    const params = RuntimeWorkerParamsSchema.safeParse(request.params);
    if (!params.success) throw invalidRequest(params.error);
    const observed = await runtime.observeAcross(params.data, { after: resumeCursor(request) ?? null, queueLimit: subscriberQueue });
    if (!observed.ok) return sendResult(reply, observed.result);
    reply.hijack();
    const sink = new SseSink(reply.raw, heartbeatMs, retryMs, () => observed.subscription.close());
    void pumpFrames(observed.subscription, observationSse, sink, drainTimeoutMs);
  });

  app.route({
    method: 'GET',
    url: '/v1/workers/:workerId/events/ws',
    exposeHeadRoute: false,
    config: { access: 'websocket' },
    // The same URL without an upgrade: say what it is instead of a bare 404.
    handler: (_request, reply) => sendError(reply.header('upgrade', 'websocket'), 426, 'upgrade_required', 'this route is a WebSocket: connect with an upgrade'),
    wsHandler: (socket, request) => {
      const params = WorkerIdParamsSchema.safeParse(request.params);
      let after: string | undefined;
      let refused: string | null = params.success ? null : 'invalid_request';
      try {
        after = resumeCursor(request);
      } catch {
        refused = 'invalid_request';
      }
      const observed = refused || !params.success ? null : runtime.observe(params.data.workerId, { after: after ?? null, queueLimit: subscriberQueue });
      if (!observed?.ok) {
        const code = observed ? observed.result.reason : refused!;
        socket.send(JSON.stringify({ type: 'error', error: { code, message: code.replaceAll('_', ' ') } }));
        socket.close(1008, code);
        return;
      }
      keepalive.watch(socket);
      socket.on('close', () => observed.subscription.close());
      socket.on('message', () => undefined); // the stream is one-way; inbound messages are ignored
      void pumpFrames(observed.subscription, observationWs, new WsSink(socket), drainTimeoutMs);
    },
  });

  app.get('/v1/events', sse, (request, reply) => {
    const after = resumeCursor(request);
    const subscription = runtime.lifecycle(after ?? null);
    const workers = after === undefined ? runtime.list() : null;
    if (runtime.summary().state !== 'running' && workers) {
      subscription.close();
      return sendResult(reply, operationResult('observe', 'runtime_stopped', null, { message: 'the runtime is shutting down' }));
    }
    reply.hijack();
    const sink = new SseSink(reply.raw, heartbeatMs, retryMs, () => subscription.close());
    if (workers) sink.write(sseMessage('workers', { type: 'workers', workers }));
    void pumpFrames(subscription, lifecycleSse, sink, drainTimeoutMs);
  });
}
