import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

const ROUTES: readonly [string, string][] = [
  ['GET', '/v1/runtime'],
  ['GET', '/v1/workers'],
  ['POST', '/v1/workers'],
  ['GET', '/v1/workers/w'],
  ['DELETE', '/v1/workers/w'],
  ['POST', '/v1/workers/w/input'],
  ['POST', '/v1/workers/w/stop'],
  ['POST', '/v1/workers/w/cancel'],
  ['GET', '/v1/workers/w/transcript'],
  ['GET', '/v1/workers/w/events'],
  ['GET', '/v1/events'],
  ['GET', '/v1/openapi.json'],
];

describe('auth: every /v1 route and stream refuses a missing or wrong token', () => {
  let h: HostFixture;
  beforeAll(async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
  });
  afterAll(() => h.close());

  it.each(ROUTES)('%s %s', async (method, path) => {
    for (const authorization of [undefined, 'Bearer wrong-token-1234567890', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer']) {
      const response = await fetch(`${h.url}${path}`, {
        method,
        headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ profile: 'fake', kind: 'user', content: 'x' }) : undefined,
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'a valid bearer token is required' } });
    }
    expect(h.fake.dispatches).toEqual([]);
    expect(h.host.runtime.list().map((w) => w.state)).toEqual(['idle']);
  });

  it('the WebSocket stream refuses a missing token, a wrong one, and a token in the query string', async () => {
    const wsUrl = h.url.replace('http', 'ws');
    for (const [url, protocols] of [
      [`${wsUrl}/v1/workers/w/events/ws`, ['worker-runtime.v1']],
      [`${wsUrl}/v1/workers/w/events/ws`, ['worker-runtime.v1', 'bearer.nope-nope-nope-nope']],
      [`${wsUrl}/v1/workers/w/events/ws?token=${TOKEN}`, ['worker-runtime.v1']],
    ] as const) {
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(url, [...protocols]);
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => resolve(-1));
      });
      expect(status).toBe(401);
    }
  });

  it('a token in the query string is never accepted', async () => {
    expect((await fetch(`${h.url}/v1/workers?token=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${h.url}/v1/workers?access_token=${TOKEN}`)).status).toBe(401);
  });

  it('logs at info level never carry the token', async () => {
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });
});

describe('non-leak: planted secrets never reach an HTTP body, SSE frame, WebSocket frame or info log', () => {
  it('scans every browser-bound output', async () => {
    const secret = 'PLANTEDx7q2';
    const h = await startHost({ fake: { handleSecret: secret } });
    try {
      await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
      h.fake.once('spawn', 'reject');
      const bodies: string[] = [];
      bodies.push((await h.call('POST', '/v1/workers', { workerId: 'rejected', profile: 'fake' })).text);
      const sse = fetch(`${h.url}/v1/workers/w/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const wsFrames: string[] = [];
      const socket = new WebSocket(`${h.url.replace('http', 'ws')}/v1/workers/w/events/ws`, ['worker-runtime.v1', `bearer.${TOKEN}`]);
      socket.on('message', (data) => wsFrames.push(String(data)));
      await new Promise((resolve) => socket.once('open', resolve));
      const lifecycle = fetch(`${h.url}/v1/events?after=c1.x.1`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const ctx = h.fake.contextOf('w')!;
      await ctx.publish({ event: 'error', data: { code: 'internal', message: `socket /run/user/0/${secret}/w.sock refused; API_KEY=${secret}` } });
      await ctx.publish({ event: 'alert', data: { level: 'error', source: `/opt/${secret}`, message: `Bearer ${secret}abcdefgh`, timestamp_ms: 1 } });
      await ctx.publish({ event: 'snapshot', data: { entries: [], status: 'idle', greeting: { worker_name: 'w', cwd: `/home/${secret}/project` } } });
      await ctx.publish({ event: 'compact_failed', data: { error: `could not write /var/lib/${secret}/session.jsonl` } });
      // The forms a list of preceding characters misses: full-width colon, arrow, JSON escapes, spaces in macOS paths, bare pids.
      await ctx.publish({ event: 'error', data: { code: 'internal', message: `エラー：/home/${secret}/.secret; moved -> /srv/${secret}` } });
      await ctx.publish({ event: 'alert', data: { level: 'error', source: 'x', message: `{"p":"\\/home\\/${secret}\\/.secret"}`, timestamp_ms: 1 } });
      await ctx.publish({ event: 'llm_retry', data: { error: `read /Users/me/Library/Application Support/${secret} Tool/state.json: failed to kill 4821377` } });
      h.fake.once('dispatch', 'reject');
      bodies.push((await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'x' })).text);
      h.fake.crash('w', 'process_exited', `exit 1 in /srv/${secret} pid 31337 SECRET=${secret}; エラー：/opt/${secret}; failed to kill 4821377`);
      for (const path of ['/v1/workers', '/v1/workers/w', '/v1/workers/rejected', '/v1/workers/w/transcript', '/v1/runtime']) {
        bodies.push((await h.call('GET', path)).text);
      }
      await eventually(() => wsFrames.length >= 4);
      await h.close();
      const sseText = await (await sse).text();
      const lifecycleText = await (await lifecycle).text();
      expect(sseText).toContain('compact_failed');
      expect(lifecycleText).toContain('process_exited');
      const everything = [...bodies, sseText, lifecycleText, ...wsFrames, ...h.logs.filter((l) => JSON.parse(l).level >= 30)].join('\n');
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain('31337');
      expect(everything).not.toContain('4821377');
    } finally {
      await h.close();
    }
  });
});

describe('fuzz: malformed bodies, ids, cursors and headers give 4xx, never 5xx, and change no state', () => {
  let h: HostFixture;
  beforeAll(async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
  });
  afterAll(() => h.close());

  const json = fc.oneof(fc.jsonValue(), fc.record({ kind: fc.string(), content: fc.anything() }), fc.record({ profile: fc.anything(), workerId: fc.anything() }));
  const id = fc.oneof(fc.string(), fc.constantFrom('..', '%2e%2e', 'a'.repeat(70), '%00', '-x', 'w/../x', '%F0%9F%92%A9', 'w'));
  const cursor = fc.oneof(fc.string(), fc.constantFrom('c1..1', 'c1.abc.0', 'c1.abc.-1', 'c1.abc.99999999999999999999', 'c1.' + 'a'.repeat(200) + '.1'));

  it('thousands of malformed requests', async () => {
    const before = JSON.stringify(h.host.runtime.list());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('input', 'create', 'get', 'events', 'stop-bad-id', 'headers'),
        json,
        id,
        cursor,
        async (kind, body, workerId, after) => {
          const path = encodeURIComponent(workerId).replaceAll('%2F', '/');
          let response;
          switch (kind) {
            case 'input':
              response = await h.host.app.inject({ method: 'POST', url: `/v1/workers/w/input`, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
              break;
            case 'create':
              response = await h.host.app.inject({ method: 'POST', url: '/v1/workers', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify({ ...(body as object), profile: 42 }) });
              break;
            case 'get':
              response = await h.host.app.inject({ method: 'GET', url: `/v1/workers/${path}x%`, headers: { authorization: `Bearer ${TOKEN}` } });
              break;
            case 'events':
              response = await h.host.app.inject({ method: 'GET', url: `/v1/workers/ghost-${encodeURIComponent(workerId).slice(0, 20)}/events?after=${encodeURIComponent(after)}`, headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'c1.zz.1' } });
              break;
            case 'stop-bad-id':
              response = await h.host.app.inject({ method: 'POST', url: `/v1/workers/${path}%00/stop`, headers: { authorization: `Bearer ${TOKEN}` } });
              break;
            default:
              response = await h.host.app.inject({
                method: 'POST',
                url: '/v1/workers/w/input',
                headers: { authorization: `Bearer ${TOKEN}`, 'content-type': String(after).slice(0, 40) || 'x/y', 'content-length': '3' },
                payload: 'abc',
              });
          }
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
          expect(JSON.parse(response.body).error.code).toMatch(/^[a-z_]+$/);
        },
      ),
      { numRuns: 2_500 },
    );
    expect(JSON.stringify(h.host.runtime.list())).toBe(before);
    expect(h.fake.dispatches).toEqual([]);
  });
});
