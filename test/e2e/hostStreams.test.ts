import { connect } from 'node:net';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StreamFrameSchema } from '../../src/host/httpSchemas.js';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

let h: HostFixture | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function publish(fixture: HostFixture, workerId: string, from: number, to: number, pad = ''): Promise<void> {
  const ctx = fixture.fake.contextOf(workerId)!;
  for (let i = from; i <= to; i++) {
    const result = await ctx.publish({ event: 'text_delta', data: { text: `${i}${pad}` } });
    if (!result.ok) throw new Error(result.message);
  }
}

describe('SSE observation stream', () => {
  it('a real EventSource client resumes with Last-Event-ID after the connection drops: no gap, no duplicate', async () => {
    h = await startHost({ config: { streams: { retryMs: 50 } } });
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await publish(h, 'w', 1, 5);
    const sentLastEventIds: (string | null)[] = [];
    const source = new EventSource(`${h.url}/v1/workers/w/events`, {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        sentLastEventIds.push(headers.get('last-event-id'));
        headers.set('authorization', `Bearer ${TOKEN}`);
        return fetch(input, { ...init, headers });
      },
    });
    const texts: string[] = [];
    const ids: string[] = [];
    source.addEventListener('observation', (message) => {
      const frame = StreamFrameSchema.parse(JSON.parse(message.data));
      if (frame.type !== 'observation') return;
      expect(message.lastEventId).toBe(frame.cursor);
      ids.push(frame.cursor);
      texts.push(String(frame.event.data?.text));
    });
    try {
      expect(await eventually(() => texts.length === 5)).toBe(true);
      h.host.app.server.closeAllConnections();
      await publish(h, 'w', 6, 10);
      expect(await eventually(() => texts.length >= 10, 5_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(texts).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect(sentLastEventIds[0]).toBeNull();
      expect(sentLastEventIds).toContain(ids[4]);
    } finally {
      source.close();
    }
  });

  it('resumes with ?after=<cursor>; a malformed cursor is 400, an unknown Worker 404, a foreign cursor gets reset', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await h.call('POST', '/v1/workers', { workerId: 'v', profile: 'fake' });
    await publish(h, 'w', 1, 3);
    await publish(h, 'v', 1, 1);
    const frames = await readSse(h, '/v1/workers/w/events', 3);
    const second = frames[1]!;
    const resumed = await readSse(h, `/v1/workers/w/events?after=${encodeURIComponent(second.id!)}`, 1);
    expect(resumed.map((f) => f.data.sequence)).toEqual([3]);
    expect((await h.call('GET', '/v1/workers/w/events?after=garbage')).status).toBe(400);
    expect((await h.call('GET', '/v1/workers/ghost/events')).status).toBe(404);
    const [vFrame] = await readSse(h, '/v1/workers/v/events', 1);
    const reset = await readSse(h, `/v1/workers/w/events?after=${encodeURIComponent(vFrame!.id!)}`, 2);
    expect(reset[0]).toMatchObject({ event: 'reset' });
    expect(reset[1]?.data.sequence).toBe(1);
  });

  it('a deliberately slow client gets lagged (then end) while server memory stays bounded', async () => {
    h = await startHost({ config: { bus: { kind: 'memory', retentionPerWorker: 2_000 }, streams: { subscriberQueue: 64, drainTimeoutMs: 20_000 } } });
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    const url = new URL(h.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.write(`GET /v1/workers/w/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
    await eventually(() => Buffer.concat(chunks).toString().includes('retry:'));
    socket.pause(); // stop reading: the kernel buffers fill, then the server's writes back up
    if (!global.gc) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
    global.gc();
    const before = process.memoryUsage().heapUsed;
    await publish(h, 'w', 1, 20_000, 'x'.repeat(1_000));
    global.gc();
    const growth = process.memoryUsage().heapUsed - before;
    socket.resume();
    const text = await eventuallyText(chunks, 'event: end');
    socket.destroy();
    expect(text).toContain('event: lagged');
    expect(text).toMatch(/event: end\ndata: \{"type":"end","reason":"lagged"\}/);
    const delivered = [...text.matchAll(/"sequence":(\d+)/g)].map((m) => Number(m[1]));
    expect(delivered.length).toBeLessThan(20_000);
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1));
    // 20k events of 1 KB passed through; the server kept its bounded retention (2k) and a bounded queue, not the flood.
    expect(growth).toBeLessThan(12 * 1024 * 1024);
  });
});

describe('SSE resume rules', () => {
  it('Last-Event-ID wins over ?after=: an EventSource opened with ?after= does not replay on every reconnect', async () => {
    h = await startHost({ config: { streams: { retryMs: 20 } } });
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await publish(h, 'w', 1, 3);
    const [, second] = await readSse(h, '/v1/workers/w/events', 2);
    const texts: string[] = [];
    let opened = 0;
    const source = new EventSource(`${h.url}/v1/workers/w/events?after=${encodeURIComponent(second!.id!)}`, {
      fetch: (input, init) => {
        opened++;
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${TOKEN}`);
        return fetch(input, { ...init, headers });
      },
    });
    source.addEventListener('observation', (message) => texts.push(String(JSON.parse(message.data).event.data.text)));
    try {
      expect(await eventually(() => texts.length === 1)).toBe(true);
      for (let drop = 0; drop < 3; drop++) {
        const before = opened;
        h.host.app.server.closeAllConnections();
        await publish(h, 'w', 4 + drop * 2, 5 + drop * 2);
        expect(await eventually(() => opened > before && texts.length >= 3 + drop * 2, 5_000)).toBe(true);
      }
      await publish(h, 'w', 10, 10);
      expect(await eventually(() => texts.includes('10'), 5_000)).toBe(true);
      expect(texts).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
    } finally {
      source.close();
    }
  });

  it('with both, the stream resumes after the Last-Event-ID cursor', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await publish(h, 'w', 1, 5);
    const frames = await readSse(h, '/v1/workers/w/events', 5);
    const resumed = await readSse(h, `/v1/workers/w/events?after=${encodeURIComponent(frames[0]!.id!)}`, 1, { 'last-event-id': frames[3]!.id! });
    expect(resumed.map((f) => f.data.sequence)).toEqual([5]);
  });

  it('one rule for a value that is not a cursor, on every stream: 400 invalid_request with the result', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    for (const path of ['/v1/events', '/v1/workers/w/events', `/v1/runtimes/${h.host.runtime.runtimeId}/workers/w/events`]) {
      for (const [query, header] of [['?after=garbage', undefined], ['', 'garbage'], ['?after=c1.x.0', undefined]] as const) {
        const response = await h.call('GET', `${path}${query}`, undefined, header ? { 'last-event-id': header } : {});
        expect([response.status, response.body?.error.code], `${path} ${query} ${header}`).toEqual([400, 'invalid_request']);
        expect(response.body.result).toMatchObject({ operation: 'observe', reason: 'invalid_request' });
      }
    }
    // A well-formed cursor of another stream generation is not malformed: it gets a reset frame.
    const reset = await readSse(h, '/v1/events?after=c1.otherepoch.3', 1);
    expect(reset[0]).toMatchObject({ event: 'reset' });
  });

  it('HEAD on a stream answers (405, Allow: GET) instead of stalling the connection', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    const url = new URL(h.url);
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    // Two requests on one keep-alive connection: the second is answered only if the first one ended.
    for (const path of ['/v1/workers/w/events', '/v1/events']) {
      socket.write(`HEAD ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    }
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    expect(await eventually(() => Buffer.concat(chunks).toString().includes('{"status":"ok"}'), 5_000)).toBe(true);
    socket.destroy();
    const statuses = [...Buffer.concat(chunks).toString().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['405', '405', '200']);
    expect(Buffer.concat(chunks).toString()).toMatch(/allow: GET/i);
  });
});

describe('WebSocket observation stream', () => {
  it('delivers the same frames and resumes with ?after=; browsers authenticate with a subprotocol', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    await publish(h, 'w', 1, 4);
    const wsUrl = h.url.replace('http', 'ws');
    const first = await readWs(`${wsUrl}/v1/workers/w/events/ws`, 4, ['worker-runtime.v1', `bearer.${TOKEN}`]);
    expect(first.frames.map((f) => f.sequence)).toEqual([1, 2, 3, 4]);
    expect(first.protocol).toBe('worker-runtime.v1');
    await publish(h, 'w', 5, 6);
    const resumed = await readWs(`${wsUrl}/v1/workers/w/events/ws?after=${encodeURIComponent(first.frames[1]!.cursor)}`, 4, undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(resumed.frames.map((f) => f.sequence)).toEqual([3, 4, 5, 6]);
    for (const frame of resumed.frames) StreamFrameSchema.parse(frame);
  });

  it('refuses a socket without a valid token', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    const wsUrl = h.url.replace('http', 'ws');
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${wsUrl}/v1/workers/w/events/ws`, ['worker-runtime.v1', 'bearer.wrong-token-000000']);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(status).toBe(401);
  });
});

describe('lifecycle stream', () => {
  it('starts with the Worker list, then carries changes as projections', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'a', profile: 'fake' });
    const reading = readSse(h, '/v1/events', 3);
    await new Promise((r) => setTimeout(r, 50));
    await h.call('POST', '/v1/workers', { workerId: 'b', profile: 'none' });
    const frames = await reading;
    expect(frames[0]).toMatchObject({ event: 'workers', data: { workers: [{ workerId: 'a' }] } });
    expect(frames.slice(1).map((f) => [f.event, f.data.change.type, f.data.change.worker.state])).toEqual([
      ['lifecycle', 'worker_created', 'starting'],
      ['lifecycle', 'worker_changed', 'unavailable'],
    ]);
  });
});

interface SseFrame {
  event: string;
  id: string | null;
  data: any;
}

/** Reads `count` SSE messages from a path (fetch, token in a header). */
async function readSse(fixture: HostFixture, path: string, count: number, headers: Record<string, string> = {}): Promise<SseFrame[]> {
  const controller = new AbortController();
  const response = await fetch(`${fixture.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers }, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: SseFrame[] = [];
  let buffer = '';
  const timeout = setTimeout(() => controller.abort(), 5_000);
  try {
    while (frames.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0 && frames.length < count) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.data) frames.push({ event: fields.event ?? 'message', id: fields.id ?? null, data: JSON.parse(fields.data) });
      }
    }
  } finally {
    clearTimeout(timeout);
    await reader.cancel().catch(() => undefined);
    controller.abort();
  }
  return frames;
}

async function readWs(url: string, count: number, protocols?: string[], headers?: Record<string, string>) {
  const socket = new WebSocket(url, protocols, { headers });
  const frames: any[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) reject(new Error('ws: a binary frame (frames are JSON text)'));
      frames.push(JSON.parse(String(data)));
      if (frames.length >= count) resolve();
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`ws: ${frames.length} of ${count} frames`)), 5_000);
  });
  const protocol = socket.protocol;
  socket.close();
  return { frames, protocol };
}

async function eventuallyText(chunks: Buffer[], marker: string): Promise<string> {
  await eventually(() => Buffer.concat(chunks).toString().includes(marker), 10_000);
  return Buffer.concat(chunks).toString();
}
