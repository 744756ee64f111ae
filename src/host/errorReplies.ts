import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WorkerRuntime } from '../application/workerRuntime.js';
import { operationResult, type Operation } from '../domain/executionResult.js';
import { sendError } from './replies.js';
import type { RequestGate } from './requestGate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The operation a route performs: every refusal it answers carries a typed result for it. */
    operation?: Operation;
  }
}

/**
 * One error body everywhere (`{ error: { code, message } }`, plus `result` on operation routes):
 * for errors in routes and hooks, for requests no route matches, and for the ones the HTTP parser or
 * the router refuse before fastify sees a request.
 */
export function installErrorReplies(app: FastifyInstance, runtime: WorkerRuntime, bodyLimitBytes: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: { code: error.code, message: error.message } }, 'request failed');
      return sendError(reply, 500, 'internal', 'internal error');
    }
    const [code, message] = describe(error, request, bodyLimitBytes);
    return refuse(reply, request, runtime, status, code, message);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'route_not_found', 'no such route'));
}

/**
 * Once the server is closing, every new request (pipelined or on a kept-alive connection) is 503
 * with the host's body and `Connection: close`, instead of fastify's own 503 body.
 */
export function closingGate(closing: () => boolean): RequestGate {
  return (_request, reply) => {
    if (!closing()) return false;
    sendError(reply.header('connection', 'close'), 503, 'runtime_stopped', 'the host is shutting down');
    return true;
  };
}

/** An error answer; on an operation route it carries the typed result (`invalid_request`, the Worker's state). */
export function refuse(reply: FastifyReply, request: FastifyRequest, runtime: WorkerRuntime, status: number, code: string, message: string): FastifyReply {
  const operation = request.routeOptions.config.operation;
  if (!operation) return sendError(reply, status, code, message);
  const workerId = (request.params as { workerId?: unknown } | undefined)?.workerId;
  const state = typeof workerId === 'string' ? (runtime.get(workerId)?.state ?? null) : null;
  return sendError(reply, status, code, message, operationResult(operation, 'invalid_request', state, { message }));
}

function describe(error: FastifyError, request: FastifyRequest, bodyLimitBytes: number): [code: string, message: string] {
  switch (error.code) {
    case 'WR_INVALID_REQUEST':
      return ['invalid_request', error.message];
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ['body_too_large', `request body larger than ${bodyLimitBytes} bytes (the host's bodyLimitBytes)`];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      return type === undefined
        ? ['unsupported_media_type', 'missing Content-Type: send the body as application/json']
        : ['unsupported_media_type', 'only application/json bodies are accepted'];
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ['invalid_request', 'empty body: send a JSON object'];
    default:
      return ['invalid_request', 'malformed request'];
  }
}

/** Refusals of the router, before any hook runs (a malformed percent-encoding, an over-long parameter). */
export function frameworkErrorReply(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL' ? 'malformed URL' : error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is too long' : 'malformed request';
  void sendError(reply, 400, 'invalid_request', message);
}

/**
 * Refusals of the HTTP parser (bad request line or header, headers too large, bad chunk framing,
 * a request that took too long): answered on the socket with the same error body, then closed.
 */
export function clientErrorReply(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'header_too_large', 'request headers too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : [400, 'malformed_request', 'malformed HTTP request'];
  // As node does: answer only if no response has started on this connection.
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!pending?.headersSent) rawErrorResponse(socket, status, code, message);
  socket.destroy(error);
}

/** A CONNECT request (node hands it to a 'connect' listener, or drops it silently): this host is no proxy. */
export function connectReply(_request: unknown, socket: Duplex): void {
  rawErrorResponse(socket, 405, 'method_not_allowed', 'CONNECT is not served here (this host is not a proxy)');
}

/** Writes an error response with the host's body straight to a socket (no response object exists) and ends it. */
export function rawErrorResponse(socket: Duplex, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: { code, message } });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}
