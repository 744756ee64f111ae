import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { rawHttp, type RawResponse } from '../support/rawHttp.js';

/**
 * Hostile input over raw TCP (no client library to tidy the request up): percent-encoded paths,
 * absolute-form targets, deep nesting, header garbage and plain garbage. Every answer is a 4xx with
 * the host's JSON error body (never a 5xx, never a hang), and nothing changes: no Worker appears, no
 * input reaches the backend, and the host still answers afterwards.
 */
let h: HostFixture;
let port: number;
let before: string;

beforeAll(async () => {
  h = await startHost();
  port = Number(new URL(h.url).port);
  await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
  before = JSON.stringify(h.host.runtime.list());
});
afterAll(() => h.close());

function expectRefused(response: RawResponse, what: string): void {
  expect(response.status, `${what}\n${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, what).toBeLessThan(500);
  if (response.headers['content-length'] === '0' || /^HEAD /.test(what)) return;
  expect(JSON.parse(response.body).error.code, what).toMatch(/^[a-z_]+$/);
}

function expectNoChange(): void {
  expect(JSON.stringify(h.host.runtime.list())).toBe(before);
  expect(h.fake.dispatches).toEqual([]);
}

const ROUTES = ['/v1/runtime', '/v1/workers', '/v1/workers/w', '/v1/workers/w/input', '/v1/workers/w/stop', '/v1/workers/w/cancel', '/v1/workers/w/transcript', '/v1/workers/w/events', '/v1/workers/w/events/ws', '/v1/events', '/v1/openapi.json', `/v1/runtimes/r1/workers/w/events`];
const PUBLIC = new Set(['/', '/healthz', '/console.js', '/console.css']);
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'QUERY', 'PROPFIND', 'get'];

/** A path with a random choice of its characters percent-encoded (either hex case, sometimes doubly). */
const encodedPath = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.boolean(), fc.boolean())
  .map(([path, pick, upper, twice]) =>
    [...path]
      .map((c, i) => {
        if (!pick[i]) return c;
        const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
        const once = `%${upper ? hex.toUpperCase() : hex}`;
        return twice && i % 3 === 0 ? `%25${once.slice(1)}` : once;
      })
      .join(''),
  );
const junkSegment = fc.constantFrom('%', '%zz', '%00', '%2F', '%2e%2e', '..', '//', ';x', '?token=' + TOKEN, '#', '%C0%AF', '%E2%80%AE', '\u00e9', '%FF');
const targetArb = () => fc.oneof(
  encodedPath,
  fc.tuple(encodedPath, junkSegment).map(([p, j]) => `${p}${j}`),
  fc.tuple(fc.constantFrom('http', 'https', 'HTTP', 'ws', 'ftp', 'x'), fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, 'evil.example', `u:p@127.0.0.1:${port}`, '[::1]', ''), encodedPath).map(
    ([scheme, authority, path]) => `${scheme}://${authority}${path}`,
  ),
);
const credential = fc.constantFrom('', 'Authorization: Bearer\r\n', 'Authorization: Bearer wrong-token-0123456789abcdef\r\n', `Authorization: bearer  ${TOKEN}x\r\n`, `Authorization: Basic ${TOKEN}\r\n`, `Sec-WebSocket-Protocol: bearer.${TOKEN}\r\nUpgrade: websocket\r\n`, `Cookie: token=${TOKEN}\r\n`);

describe('fuzz: hostile requests over raw TCP', () => {
  it('encoded paths and absolute-form targets without a valid token never reach a protected route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), targetArb(), credential, async (method, path, auth) => {
        const body = method === 'POST' ? '{"kind":"user","content":"x","profile":"fake"}' : '';
        const length = body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : '';
        const response = await rawHttp(port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${auth}${length}Connection: close\r\n\r\n${body}`);
        const what = `${method} ${path} (${JSON.stringify(auth)})`;
        if (response.status < 400) {
          // Only a public route may answer below 400 without the token.
          const decoded = safeDecode(path.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0]!);
          expect(PUBLIC.has(decoded ?? ''), `${what} answered ${response.status}`).toBe(true);
          return;
        }
        expectRefused(response, what);
      }),
      { numRuns: 1_500 },
    );
    expectNoChange();
  });

  it('deep and wide nesting in every body is a 400 with a code', async () => {
    const nest = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.array(fc.constantFrom('[', '{"k":'), { minLength: 1, maxLength: 4 }), fc.constantFrom('1', '"x"', 'null', '{}', '[]')).map(([depth, openers, core]) => {
      let open = '';
      let close = '';
      for (let i = 0; i < depth; i++) {
        const opener = openers[i % openers.length]!;
        open += opener;
        close = (opener === '[' ? ']' : '}') + close;
      }
      return `${open}${core}${close}`;
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/workers/w/input', '/v1/workers', '/v1/workers/w/cancel', '/v1/workers/ghost/input'), nest, async (path, value) => {
        // An unknown segment kind is kept as is, so a nested value inside one reaches the Runtime's own input check.
        const body =
          path === '/v1/workers' ? `{"profile":${value}}` : path.includes('ghost') ? `{"kind":"user","segments":[{"kind":"custom","v":${value}}]}` : `{"kind":"user","content":${value}}`;
        const response = await rawHttp(
          port,
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        // Cancel takes no body, so a shallow one is simply ignored (the idle Worker answers 409 not_running).
        const shallow = !/nested deeper/.test(response.body);
        expect(response.status, path).toBe(shallow && path.endsWith('/cancel') ? 409 : shallow && path.includes('ghost') ? 404 : 400);
        expectRefused(response, path);
      }),
      { numRuns: 300 },
    );
    expect(h.logs.join('\n')).not.toContain('Maximum call stack');
    expect(h.fake.dispatches).toEqual([]);
  });

  it('header garbage is refused with the error body', async () => {
    const name = fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Authorization', 'Origin', 'Upgrade', 'Connection', 'Last-Event-ID'));
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', ' ', '0', '-1', 'chunked', 'chunked, identity', '99999999999999999999', 'evil.example', 'null', '\u0000', '\x7f', 'a\rb'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 6 }), async (headers) => {
        const lines = headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
        // An invalid create (profile must be a name): whatever the headers do, it can only be refused.
        const body = '{"profile":42}';
        const request = `POST /v1/workers HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n${lines}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
        const response = await rawHttp(port, Buffer.from(request, 'latin1'), 3_000);
        expect(response.status, JSON.stringify(headers)).not.toBe(0);
        expectRefused(response, JSON.stringify(headers));
      }),
      { numRuns: 800 },
    );
    expectNoChange();
  });

  it('plain garbage over TCP gets a 4xx with the error body (nothing only for nothing but blank lines)', async () => {
    const fragment = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.constantFrom('GET', 'POST ', ' / ', 'HTTP/1.1', 'HTTP/2.0', '\r\n', '\n', '\r\n\r\n', ': ', 'Host: x', 'Content-Length: 5', 'Transfer-Encoding: chunked', '\u0000', 'PRI * HTTP/2.0', 'CONNECT 127.0.0.1:1 HTTP/1.1'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 8 }), async (parts) => {
        const bytes = Buffer.from(parts.join(''), 'latin1');
        const response = await rawHttpClosing(bytes);
        // Blank lines before a request line are ignored (RFC 9112 2.2): with nothing else, there is nothing to answer.
        if (/^[\r\n]*$/.test(bytes.toString('latin1'))) {
          expect(response.text).toBe('');
          return;
        }
        if (response.status > 0 && response.status < 400) return; // the garbage happened to form a valid request (e.g. GET / ...)
        expectRefused(response, JSON.stringify(parts));
      }),
      { numRuns: 600 },
    );
    expectNoChange();
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });
});

/** Writes the bytes, then ends the sending side (so a partial request meets end of input), and reads the answer. */
async function rawHttpClosing(bytes: Buffer): Promise<RawResponse> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), headers, body: end < 0 ? '' : text.slice(end + 4), text });
    };
    const timer = setTimeout(done, 3_000);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

function safeDecode(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
