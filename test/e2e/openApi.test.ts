import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { rawHttp } from '../support/rawHttp.js';

/**
 * The OpenAPI document says what the server does: real replies (status, body, SSE and WebSocket
 * frames) are validated against the document the server itself serves, every status a reply has
 * must be documented for its operation, and the document's paths are the routes fastify registered.
 */
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

let h: HostFixture;
let port: number;
let doc: { paths: Record<string, Record<string, Operation>> };
const registered = new Set<string>();
const ajv = new Ajv2020({ strict: false, allErrors: true });
const checked = new Set<string>();

beforeAll(async () => {
  h = await startHost({
    config: { runtime: { deadlines: { stopMs: 100 } } },
    onApp: (app) =>
      app.addHook('onRoute', (route: RouteOptions) => {
        const config = route.config as { allow?: unknown } | undefined;
        if (config?.allow !== undefined) return; // 405 fallbacks are described once, not per path
        for (const method of [route.method].flat()) if (method !== 'HEAD') registered.add(`${method.toLowerCase()} ${route.url!.replace(/:(\w+)/g, '{$1}')}`);
      }),
  });
  port = Number(new URL(h.url).port);
  doc = (await h.call('GET', '/v1/openapi.json')).body;
});
afterAll(() => h.close());

function operationOf(method: string, path: string): { template: string; operation: Operation } {
  const bare = path.split('?')[0]!;
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(bare) && operations[method.toLowerCase()]) return { template, operation: operations[method.toLowerCase()]! };
  }
  throw new Error(`${method} ${bare} is not in the document`);
}

function validate(method: string, path: string, status: number, contentType: string, body: unknown): void {
  const { template, operation } = operationOf(method, path);
  const documented = operation.responses[String(status)];
  expect(documented, `${method} ${template} answered ${status}, which the document does not list`).toBeDefined();
  const schema = documented!.content?.[contentType]?.schema;
  expect(schema, `${method} ${template} ${status}: no ${contentType} schema`).toBeDefined();
  const valid = ajv.validate(schema!, body);
  expect(valid, `${method} ${template} ${status}: ${ajv.errorsText(ajv.errors)} in ${JSON.stringify(body).slice(0, 300)}`).toBe(true);
  checked.add(`${method.toLowerCase()} ${template} ${status}`);
}

async function call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<void> {
  const response = await h.call(method, path, body, headers);
  validate(method, path, response.status, 'application/json', response.body);
}

async function sseFrames(path: string, count: number): Promise<void> {
  const controller = new AbortController();
  const response = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while ((text.match(/\ndata: /g) ?? []).length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text = `\n${text}${value}`;
  }
  controller.abort();
  const frames = [...text.matchAll(/\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!));
  expect(frames.length).toBeGreaterThanOrEqual(count);
  for (const frame of frames) validate('GET', path, 200, 'text/event-stream', frame);
}

describe('the OpenAPI document matches the server', () => {
  it('documents exactly the routes fastify registered, itself included', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...registered].sort());
    expect(documented).toContain('get /v1/openapi.json');
  });

  it('real replies validate against it, refusals included', async () => {
    await call('GET', '/healthz');
    await call('GET', '/v1/runtime');
    await call('GET', '/v1/openapi.json');
    await call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await call('POST', '/v1/workers', { workerId: 'w', profile: 'none' });
    await call('POST', '/v1/workers', { workerId: 'lim', profile: 'limited' });
    await call('POST', '/v1/workers', { workerId: 'off', profile: 'none' });
    await call('POST', '/v1/workers', '{"profile":');
    await call('POST', '/v1/workers', 'profile=fake', { 'content-type': 'text/plain' });
    await call('GET', '/v1/workers');
    await call('GET', '/v1/workers/w');
    await call('GET', '/v1/workers/ghost');
    await call('GET', '/v1/workers/bad%20id');
    await call('POST', '/v1/workers/w/input', { kind: 'user', content: 'a run #hold' });
    await call('POST', '/v1/workers/w/input', { kind: 'user', content: 'busy now' });
    await call('POST', '/v1/workers/off/input', { kind: 'notify', message: 'hello?' });
    await call('POST', '/v1/workers/w/input', { kind: 'notify', content: 'old shape' });
    await call('POST', '/v1/workers/w/input', { kind: 'user', content: 'x'.repeat(600 * 1024) });
    await call('POST', '/v1/workers/ghost/input', { kind: 'user', content: 'x' });
    await call('POST', '/v1/workers/w/cancel');
    await eventually(() => h.host.runtime.get('w')?.state === 'idle');
    await call('POST', '/v1/workers/w/cancel');
    await call('POST', '/v1/workers/lim/stop');
    h.fake.once('dispatch', 'throw');
    await call('POST', '/v1/workers/w/input', { kind: 'user', content: 'fails' });
    // A question for a person: the projection lists it, and it is answered once through the decisions route.
    await call('POST', '/v1/workers', { workerId: 'd', profile: 'fake' });
    await call('POST', '/v1/workers/d/input', { kind: 'user', content: 'edit the notes #ask' });
    expect(await eventually(() => h.host.runtime.get('d')?.state === 'requires_action')).toBe(true);
    const decision = h.host.runtime.get('d')!.pendingDecisions[0]!.id;
    await call('GET', '/v1/workers/d');
    await call('POST', `/v1/workers/d/decisions/${decision}`, { optionId: 'not-offered' });
    await call('POST', `/v1/workers/d/decisions/${decision}`, {});
    await call('POST', `/v1/workers/d/decisions/${decision}`, { optionId: 'allow' });
    await call('POST', `/v1/workers/d/decisions/${decision}`, { optionId: 'allow' });
    await call('POST', '/v1/workers/d/decisions/not%20an%20id', { optionId: 'allow' });
    await call('POST', `/v1/workers/ghost/decisions/${decision}`, { optionId: 'allow' });
    await call('POST', `/v1/workers/lim/decisions/${decision}`, { optionId: 'allow' });
    await call('GET', '/v1/workers/w/transcript');
    await call('GET', '/v1/workers/ghost/transcript');
    await call('GET', '/v1/workers/w/events?after=garbage');
    await call('GET', '/v1/workers/ghost/events');
    await call('GET', '/v1/events?after=garbage');
    await call('GET', `/v1/runtimes/${h.host.runtime.runtimeId}/workers/ghost/events`);
    await call('GET', '/v1/workers/w/events/ws');
    await call('DELETE', '/v1/workers/w');
    await call('POST', '/v1/workers/w/stop');
    await call('DELETE', '/v1/workers/w');
    await call('DELETE', '/v1/workers/w');
    await call('GET', '/v1/workers', undefined, { authorization: 'Bearer wrong-token-0123456789' });
    await call('GET', '/v1/workers', undefined, { origin: 'https://evil.example' });
    expect(checked.size).toBeGreaterThan(30);
  });

  it('stream frames validate against it: SSE observation and lifecycle streams', async () => {
    await h.call('POST', '/v1/workers', { workerId: 's', profile: 'fake' });
    await h.call('POST', '/v1/workers/s/input', { kind: 'user', content: 'hello' });
    await eventually(() => h.host.runtime.get('s')?.state === 'idle');
    await sseFrames('/v1/workers/s/events', 3);
    await sseFrames(`/v1/runtimes/${h.host.runtime.runtimeId}/workers/s/events`, 3);
    await sseFrames('/v1/events', 1);
    await sseFrames('/v1/events?after=c1.otherepoch.1', 1);
  });

  it('WebSocket: 101 then frames, or 101 then one error frame and close 1008; 401 and 400 before the upgrade', async () => {
    const wsUrl = `${h.url.replace('http', 'ws')}/v1/workers`;
    for (const workerId of ['s', 'ghost']) {
      const frames: unknown[] = [];
      const socket = new WebSocket(`${wsUrl}/${workerId}/events/ws`, ['worker-runtime.v1', `bearer.${TOKEN}`]);
      let closeCode = 0;
      socket.on('message', (data) => frames.push(JSON.parse(String(data))));
      socket.on('close', (code) => (closeCode = code));
      await new Promise((resolve) => socket.once('open', resolve));
      expect(await eventually(() => frames.length >= 1)).toBe(true);
      for (const frame of frames) validate('GET', `/v1/workers/${workerId}/events/ws`, 101, 'application/json', frame);
      if (workerId === 'ghost') {
        expect(await eventually(() => closeCode !== 0)).toBe(true);
        expect(closeCode).toBe(1008);
      }
      socket.close();
    }
    const upgrade = (key: string, token: string) =>
      `GET /v1/workers/s/events/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: worker-runtime.v1, bearer.${token}\r\n\r\n`;
    const refused = await rawHttp(port, upgrade('dGhlIHNhbXBsZSBub25jZQ==', 'wrong'));
    validate('GET', '/v1/workers/s/events/ws', refused.status, 'application/json', JSON.parse(refused.body));
    const invalid = await rawHttp(port, upgrade('not-a-key', TOKEN));
    expect(invalid.status).toBe(400);
    validate('GET', '/v1/workers/s/events/ws', invalid.status, 'application/json', JSON.parse(invalid.body));
  });
});
