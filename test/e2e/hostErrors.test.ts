import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../src/host/httpSchemas.js';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { jsonOf, rawHttp } from '../support/rawHttp.js';

let h: HostFixture;
let port: number;
beforeAll(async () => {
  h = await startHost();
  port = Number(new URL(h.url).port);
  await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
});
afterAll(() => h.close());

const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => h.call('POST', path, body, headers);

describe('every error has the host error body', () => {
  const head = `Host: 127.0.0.1:PORT\r\nAuthorization: Bearer ${TOKEN}\r\n`;
  it.each([
    ['a bad header line', `GET /v1/workers HTTP/1.1\r\n${head}this is not a header\r\n\r\n`, 400, 'malformed_request'],
    ['an invalid header name', `GET /v1/workers HTTP/1.1\r\n${head}Bad Header: x\r\n\r\n`, 400, 'malformed_request'],
    ['oversized headers', `GET /v1/workers HTTP/1.1\r\n${head}X-Big: ${'a'.repeat(40_000)}\r\n\r\n`, 431, 'header_too_large'],
    ['bad chunk framing', `POST /v1/workers HTTP/1.1\r\n${head}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 400, 'malformed_request'],
    ['two content lengths', `POST /v1/workers HTTP/1.1\r\n${head}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400, 'malformed_request'],
    ['a garbage request line', 'GARBAGE\r\n\r\n', 400, 'malformed_request'],
    ['an unknown HTTP version', `GET /healthz HTTP/9.9\r\n${head}\r\n`, 400, 'malformed_request'],
    ['a CONNECT request (this is no proxy)', `CONNECT 127.0.0.1:22 HTTP/1.1\r\n${head}\r\n`, 405, 'method_not_allowed'],
    ['an upgrade of a route that does not upgrade', `GET /v1/workers HTTP/1.1\r\n${head}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n`, 400, 'upgrade_not_supported'],
    ['a WebSocket handshake with a bad key', `GET /v1/workers/w/events/ws HTTP/1.1\r\n${head}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n`, 400, 'invalid_upgrade'],
    ['a WebSocket handshake with a bad version', `GET /v1/workers/w/events/ws HTTP/1.1\r\n${head}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`, 400, 'invalid_upgrade'],
    ['a WebSocket handshake with a bad subprotocol list', `GET /v1/workers/w/events/ws HTTP/1.1\r\n${head}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: a,,b\r\n\r\n`, 400, 'invalid_upgrade'],
  ])('%s', async (_what, request, status, code) => {
    const response = await rawHttp(port, request.replaceAll('PORT', String(port)));
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toContain('application/json');
    expect(ErrorBodySchema.parse(jsonOf(response)).error.code).toBe(code);
  });
});

describe('bodies', () => {
  it('deep nesting is a 400 with a code, never a 500, and is refused before parsing', async () => {
    for (const depth of [33, 5_000, 100_000]) {
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      for (const [path, body] of [
        ['/v1/workers/w/input', `{"kind":"user","segments":[{"kind":"custom","value":${deep}}]}`],
        ['/v1/workers', `{"profile":"fake","x":${deep}}`],
        ['/v1/workers/w/input', deep],
      ] as const) {
        const response = await post(path, body);
        expect(response.status, `${path} depth ${depth}`).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('nested deeper than 32 levels') });
      }
    }
    expect(h.logs.join('\n')).not.toContain('Maximum call stack');
    expect(h.fake.dispatches).toEqual([]);
  });

  it('nesting inside strings does not count', async () => {
    const response = await post('/v1/workers/w/input', JSON.stringify({ kind: 'user', content: `${'['.repeat(500)} #hold` }));
    expect(response.status).toBe(202);
    await h.call('POST', '/v1/workers/w/cancel');
    h.fake.dispatches.length = 0;
  });

  it.each([
    ['{"profile":', 'line 1, column 12 (position 11): unexpected end of input, expected a value'],
    ['{"profile" "fake"}', "line 1, column 12 (position 11): expected ':'"],
    ['{\n  "profile": "fake",\n}', 'line 3, column 1 (position 23): expected a property name in double quotes'],
    ['{"profile":"fake"} x', 'line 1, column 20 (position 19): unexpected content after the JSON value'],
    ['{"profile":"fa\u0001ke"}', 'line 1, column 15 (position 14): control character in a string'],
    ["{'profile':'fake'}", 'line 1, column 2 (position 1)'],
  ])('invalid JSON %j names where', async (body, where) => {
    const response = await post('/v1/workers', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toContain(`invalid JSON at ${where}`);
    expect(response.body.error.message).not.toContain('fake'); // the input is never echoed
  });

  it('a prototype key is refused', async () => {
    const response = await post('/v1/workers', '{"profile":"fake","__proto__":{"polluted":true}}');
    expect([response.status, response.body.error.code]).toEqual([400, 'invalid_request']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('text/plain is 415, and a body without a content type says what is missing', async () => {
    const plain = await post('/v1/workers', '{"profile":"fake"}', { 'content-type': 'text/plain' });
    expect([plain.status, plain.body.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(plain.body.error.message).toContain('application/json');
    const none = await rawHttp(port, `POST /v1/workers HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 18\r\nConnection: close\r\n\r\n{"profile":"fake"}`);
    expect([none.status, jsonOf(none).error.code]).toEqual([415, 'unsupported_media_type']);
    expect(jsonOf(none).error.message).toContain('missing Content-Type');
    expect(h.host.runtime.list()).toHaveLength(1);
  });

  it('413 names the limit and the setting', async () => {
    const response = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'x'.repeat(600 * 1024) });
    expect([response.status, response.body.error.code]).toEqual([413, 'body_too_large']);
    expect(response.body.error.message).toBe("request body larger than 524288 bytes (the host's bodyLimitBytes)");
  });

  it('input without a body says what to send', async () => {
    const response = await h.call('POST', '/v1/workers/w/input');
    expect([response.status, response.body.error.code]).toEqual([400, 'invalid_request']);
    expect(response.body.error.message).toContain('a JSON body is required');
  });
});

describe('operation routes carry the typed result in every refusal', () => {
  it.each([
    ['POST', '/v1/workers/w/input', { kind: 'user' }, 'input', 'idle'],
    ['POST', '/v1/workers/w/input', '{"kind":', 'input', 'idle'],
    ['POST', '/v1/workers/bad%20id/input', { kind: 'user', content: 'x' }, 'input', null],
    ['POST', '/v1/workers/bad%20id/stop', undefined, 'stop', null],
    ['POST', '/v1/workers/bad%20id/cancel', undefined, 'cancel', null],
    ['DELETE', '/v1/workers/bad%20id', undefined, 'remove', null],
    ['POST', '/v1/workers', { profile: 42 }, 'create', null],
  ])('%s %s', async (method, path, body, operation, state) => {
    const response = await h.call(method, path, body);
    expect(response.status).toBe(400);
    expect(ErrorBodySchema.parse(response.body)).toMatchObject({
      error: { code: 'invalid_request' },
      result: { operation, outcome: 'rejected', reason: 'invalid_request', state },
    });
    expect(response.body.result.message).toBe(response.body.error.message);
  });

  it('a body the host refuses before the route (413, 415) carries it too', async () => {
    const huge = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'x'.repeat(600 * 1024) });
    expect(huge.body.result).toMatchObject({ operation: 'input', reason: 'invalid_request', state: 'idle' });
    const plain = await post('/v1/workers/w/stop', 'x', { 'content-type': 'text/plain' });
    expect([plain.status, plain.body.result.operation]).toEqual([415, 'stop']);
  });
});

describe('replies that say what to do', () => {
  it('a wrong method is 405 with Allow, on every kind of route', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/v1/workers', 'GET, HEAD, POST'],
      ['GET', '/v1/workers/w/input', 'POST'],
      ['PATCH', '/v1/workers/w', 'DELETE, GET, HEAD'],
      ['POST', '/v1/workers/w/events', 'GET'],
      ['HEAD', '/v1/workers/w/events', 'GET'],
      ['DELETE', '/v1/events', 'GET'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['OPTIONS', '/v1/runtime', 'GET, HEAD'],
    ]) {
      const response = await rawHttp(port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.allow, `${method} ${path}`).toBe(allow);
      if (method !== 'HEAD') expect(jsonOf(response).error.code).toBe('method_not_allowed');
    }
    const unknown = await h.call('PUT', '/v1/nothing');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'route_not_found']);
  });

  it('the create conflict names the existing profile', async () => {
    const conflict = await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'none' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toEqual({ code: 'create_conflict', message: 'Worker w already exists with profile "fake"' });
    expect(conflict.body.result).toMatchObject({ reason: 'create_conflict', message: 'Worker w already exists with profile "fake"' });
  });

  it('an unknown Worker has one wording on every route', async () => {
    const messages = new Set<string>();
    for (const [method, path, body] of [
      ['GET', '/v1/workers/ghost', undefined],
      ['DELETE', '/v1/workers/ghost', undefined],
      ['POST', '/v1/workers/ghost/input', { kind: 'user', content: 'x' }],
      ['POST', '/v1/workers/ghost/stop', undefined],
      ['POST', '/v1/workers/ghost/cancel', undefined],
      ['GET', '/v1/workers/ghost/transcript', undefined],
      ['GET', '/v1/workers/ghost/events', undefined],
    ] as const) {
      const response = await h.call(method, path, body);
      expect([response.status, response.body.error.code], path).toEqual([404, 'worker_not_found']);
      messages.add(response.body.error.message);
    }
    expect([...messages]).toEqual(['worker not found']);
  });

  it('the WebSocket URL without an upgrade is 426, not a bare 404', async () => {
    const response = await h.call('GET', '/v1/workers/w/events/ws');
    expect([response.status, response.body.error.code]).toEqual([426, 'upgrade_required']);
  });
});

describe('while the host closes', () => {
  it('a request that arrives after close began is 503 with the error body, not fastify’s own', async () => {
    const closingHost = await startHost();
    const closingPort = Number(new URL(closingHost.url).port);
    const socket = connect(closingPort, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    // Half a request: the connection is busy, so closing the server does not drop it.
    socket.write(`GET /v1/workers HTTP/1.1\r\nHost: 127.0.0.1:${closingPort}\r\n`);
    await eventually(() => closingHost.host.app.server.listening);
    const closing = closingHost.close();
    // The server stops listening only once it is closing; then the rest of the request arrives.
    const refused = () =>
      new Promise<boolean>((resolve) => {
        const probe = connect(closingPort, '127.0.0.1');
        probe.on('connect', () => (probe.destroy(), resolve(false)));
        probe.on('error', () => resolve(true));
      });
    let stopped = false;
    for (let i = 0; i < 500 && !stopped; i++) stopped = await refused();
    expect(stopped).toBe(true);
    socket.write(`Authorization: Bearer ${TOKEN}\r\n\r\n`);
    expect(await eventually(() => Buffer.concat(chunks).includes('\r\n\r\n{'), 5_000)).toBe(true);
    const text = Buffer.concat(chunks).toString();
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'runtime_stopped', message: 'the host is shutting down' } });
    socket.destroy();
    await closing;
  });
});
