import { readdirSync } from 'node:fs';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { jsonOf, rawHttp, type RawResponse } from '../support/rawHttp.js';

/**
 * Deny by default, proven on fastify's own route list: every route the host registers (taken from an
 * `onRoute` hook, not from a list kept here) refuses a request without the token, for every method it
 * serves, whatever the shape of the request target (percent-encoded path, absolute-form), streams
 * included. Only the routes marked public skip the token, and they are exactly the ones named here.
 */
interface SeenRoute {
  readonly method: string;
  readonly url: string;
  readonly access: unknown;
  readonly websocket: boolean;
  /** A 405 answer for the methods its path does not serve. */
  readonly fallback: boolean;
}

/** The console's files (its page, styles, favicon, the ES modules in console/lib, the markdown renderer) and /healthz. */
const CONSOLE = [
  '/',
  '/console.js',
  '/console.css',
  '/favicon.ico',
  '/console/favicon.svg',
  ...readdirSync('console/lib').filter((name) => name.endsWith('.js')).map((name) => `/console/lib/${name}`),
  '/console/vendor/markdown-it.mjs',
];
const PUBLIC = [...CONSOLE, '/healthz'].flatMap((path) => [`GET ${path}`, `HEAD ${path}`]).sort();

let h: HostFixture;
let port: number;
const seen: SeenRoute[] = [];

beforeAll(async () => {
  h = await startHost({
    onApp: (app) =>
      app.addHook('onRoute', (route: RouteOptions & { websocket?: boolean; wsHandler?: unknown }) => {
        const config = route.config as { access?: unknown; allow?: unknown } | undefined;
        for (const method of [route.method].flat()) {
          const websocket = route.websocket === true || typeof route.wsHandler === 'function';
          seen.push({ method, url: route.url!, access: config?.access, websocket, fallback: config?.allow !== undefined });
        }
      }),
  });
  port = Number(new URL(h.url).port);
  await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
});
afterAll(() => h.close());

const concrete = (pattern: string) => pattern.replace(':workerId', 'w').replace(':runtimeId', 'r1');

/** Percent-encodes letters of the path's static segments (`/v1/x` -> `/%761/x`): a router decodes them, a prefix check does not. */
function encoded(path: string, every: boolean): string {
  return path
    .split('/')
    .map((segment) => {
      if (segment === 'w' || segment === 'r1') return segment;
      let done = false;
      return [...segment]
        .map((c) => {
          if (!/[a-z]/i.test(c) || (done && !every)) return c;
          done = true;
          const hex = c.charCodeAt(0).toString(16);
          return `%${every ? hex.toUpperCase() : hex}`;
        })
        .join('');
    })
    .join('/');
}

function targets(path: string): [string, string][] {
  return [
    ['plain', path],
    ['encoded (one letter)', encoded(path, false)],
    ['encoded (every letter)', encoded(path, true)],
    ['absolute-form', `http://127.0.0.1:${port}${path}`],
    ['absolute-form, localhost', `http://localhost:${port}${path}`],
    ['absolute-form, encoded', `http://127.0.0.1:${port}${encoded(path, false)}`],
  ];
}

const CREDENTIALS: [string, string][] = [
  ['no token', ''],
  ['wrong token', 'Authorization: Bearer wrong-token-0123456789abcdef\r\n'],
  ['token with another scheme', `Authorization: Basic ${TOKEN}\r\n`],
  ['token as a subprotocol on a request that is not upgraded', `Upgrade: websocket\r\nSec-WebSocket-Protocol: worker-runtime.v1, bearer.${TOKEN}\r\n`],
  ['token in the query string', ''],
];

function request(method: string, target: string, extra: string, query = ''): string {
  const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? JSON.stringify({ kind: 'user', content: 'x', profile: 'fake' }) : '';
  const headers = body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '';
  return `${method} ${target}${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}${headers}Connection: close\r\n\r\n${body}`;
}

function expectUnauthorized(response: RawResponse, what: string): void {
  expect(response.status, what).toBe(401);
  expect(response.headers['www-authenticate'], what).toBe('Bearer');
  if (what.startsWith('HEAD ')) return expect(response.body, what).toBe(''); // a HEAD answer has no body
  expect(jsonOf(response), what).toEqual({ error: { code: 'unauthorized', message: 'a valid bearer token is required' } });
}

describe('auth is a property of the matched route (deny by default)', () => {
  it('fastify registered the routes the host serves, and only the console and /healthz are public', () => {
    expect(seen.length).toBeGreaterThan(20);
    const publicRoutes = seen.filter((r) => r.access === 'public' && !r.fallback).map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual(PUBLIC);
    // A public path answers its other methods (405) without a token too; no other path does.
    const publicPaths = new Set(PUBLIC.map((r) => r.split(' ')[1]));
    expect(seen.filter((r) => r.access === 'public' && r.fallback && !publicPaths.has(r.url))).toEqual([]);
    for (const path of ['/v1/workers', '/v1/workers/:workerId/input', '/v1/workers/:workerId/events', '/v1/workers/:workerId/events/ws', '/v1/events', '/v1/openapi.json']) {
      expect(seen.some((r) => r.url === path && r.method !== 'HEAD' && r.access !== 'public'), path).toBe(true);
    }
  });

  it('every non-public route refuses missing and wrong credentials, for every method, encoded path and absolute-form target', async () => {
    const before = JSON.stringify(h.host.runtime.list());
    const protectedRoutes = seen.filter((r) => r.access !== 'public');
    let checked = 0;
    for (const route of protectedRoutes) {
      const path = concrete(route.url);
      for (const [shape, target] of targets(path)) {
        for (const [credential, header] of CREDENTIALS) {
          const query = credential === 'token in the query string' ? `?token=${TOKEN}&access_token=${TOKEN}` : '';
          const response = await rawHttp(port, request(route.method, target, header, query));
          expectUnauthorized(response, `${route.method} ${route.url} (${shape}, ${credential})`);
          checked++;
        }
      }
    }
    expect(checked).toBe(protectedRoutes.length * 6 * CREDENTIALS.length);
    expect(h.fake.dispatches).toEqual([]);
    expect(JSON.stringify(h.host.runtime.list())).toBe(before);
  }, 90_000); // hundreds of raw requests (every route x method x variant): far more than 20 s on a loaded machine

  it('with the token the same requests reach their route (the refusals above are not a router miss)', async () => {
    for (const route of seen.filter((r) => r.access !== 'public' && !r.websocket && r.method === 'GET')) {
      for (const [shape, target] of targets(concrete(route.url))) {
        const response = await rawHttp(port, request('GET', target, `Authorization: Bearer ${TOKEN}\r\n`));
        expect(response.status, `${route.url} (${shape})`).not.toBe(401);
        expect(jsonOf(response)?.error?.code, `${route.url} (${shape})`).not.toBe('route_not_found');
      }
    }
  });

  it('public routes answer without a token', async () => {
    for (const path of ['/healthz', ...CONSOLE]) {
      for (const [shape, target] of targets(path)) {
        for (const method of ['GET', 'HEAD']) {
          const response = await rawHttp(port, request(method, target, ''));
          expect(response.status, `${method} ${path} (${shape})`).toBe(200);
        }
      }
    }
  });

  it('an unmatched path answers 404 whether or not a token is sent, without saying what exists behind auth', async () => {
    for (const target of ['/v1/nothing', '/v2/workers', '/%76%31/nothing', `http://127.0.0.1:${port}/v1/nothing`]) {
      for (const header of ['', `Authorization: Bearer ${TOKEN}\r\n`, 'Authorization: Bearer wrong-token-0123456789abcdef\r\n']) {
        const response = await rawHttp(port, request('GET', target, header));
        expect(response.status, target).toBe(404);
        expect(jsonOf(response)).toEqual({ error: { code: 'route_not_found', message: 'no such route' } });
      }
    }
  });
});

describe('the WebSocket route', () => {
  const upgrade = (target: string, protocols: string) =>
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${protocols ? `Sec-WebSocket-Protocol: ${protocols}\r\n` : ''}\r\n`;

  it('a real upgrade without a valid token is refused with 401, for every target shape', async () => {
    const ws = seen.filter((r) => r.websocket && r.method === 'GET');
    expect(ws.length).toBeGreaterThan(0);
    for (const route of ws) {
      for (const [shape, target] of targets(concrete(route.url))) {
        for (const protocols of ['', 'worker-runtime.v1', 'worker-runtime.v1, bearer.wrong-token-0123456789', `bearer.${TOKEN}x, worker-runtime.v1`]) {
          expectUnauthorized(await rawHttp(port, upgrade(target, protocols)), `${route.url} (${shape}, "${protocols}")`);
        }
        // The same request with the token upgrades: the refusals are about the token, not the shape.
        const ok = await rawHttp(port, upgrade(target, `worker-runtime.v1, bearer.${TOKEN}`));
        expect(ok.status, `${route.url} (${shape}) with the token`).toBe(101);
      }
    }
  });

  it('accepts the bearer subprotocol on a real upgrade (the ws client)', async () => {
    const socket = new WebSocket(`${h.url.replace('http', 'ws')}/v1/workers/w/events/ws`, ['worker-runtime.v1', `bearer.${TOKEN}`]);
    const opened = await new Promise<boolean>((resolve) => {
      socket.on('open', () => resolve(true));
      socket.on('unexpected-response', () => resolve(false));
      socket.on('error', () => resolve(false));
    });
    socket.close();
    expect(opened).toBe(true);
  });
});
