import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';
import { redisOrSkip } from '../support/redis.js';

// Two real host processes (the built dist, as `npm start` runs it) sharing one Redis.
const redisUrl = await redisOrSkip();
const MAIN = join(process.cwd(), 'dist/host/main.js');
const TOKEN = 'two-hosts-token-0123456789';
const prefix = `wr-e2e-${process.pid}-${Date.now()}:`;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (!redisUrl) return;
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

function configFile(runtimeId: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wr-two-')), `${runtimeId}.json`);
  const config = {
    listen: { port: 0 },
    runtime: { runtimeId },
    profiles: { demo: { backend: 'fake' } },
    bus: { kind: 'redis', url: redisUrl, keyPrefix: `${prefix}obs:` },
    catalog: { kind: 'redis', url: redisUrl, keyPrefix: `${prefix}cat:` },
    log: { level: 'warn' },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function startHost(file: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN, '--config', file], {
    env: { PATH: process.env.PATH, WORKER_RUNTIME_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  if (!(await eventually(() => /listening on (\S+)/.test(out), 15_000))) throw new Error(`host did not start: ${out}`);
  return { url: /listening on (\S+)/.exec(out)![1]!, child };
}

const api = (url: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

interface Frame {
  event: string;
  id: string | null;
  data: any;
}

/** An SSE reader that keeps every frame it gets, for a browser-style subscriber. */
function subscribe(url: string, path: string, after?: string) {
  const frames: Frame[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}`, ...(after ? { 'last-event-id': after } : {}) },
      signal: controller.signal,
    });
    if (response.status !== 200) throw new Error(`stream refused: ${response.status}`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.data) frames.push({ event: fields.event ?? 'message', id: fields.id ?? null, data: JSON.parse(fields.data) });
      }
    }
  })().catch(() => undefined);
  return { frames, close: () => controller.abort(), done };
}

const observations = (frames: Frame[]) => frames.filter((f) => f.event === 'observation').map((f) => f.data);
const runEnds = (frames: Frame[]) => observations(frames).filter((o) => o.event.event === 'run_end').length;

describe.skipIf(!redisUrl)('two hosts on one Redis', () => {
  it('host B streams host A\'s Worker; A is killed and restarted; B loses nothing and no cursor aliases', async () => {
    const fileA = configFile('host-a');
    let a = await startHost(fileA);
    const b = await startHost(configFile('host-b'));

    expect((await api(a.url, 'POST', '/v1/workers', { workerId: 'w', profile: 'demo' })).status).toBe(201);
    const onB = subscribe(b.url, '/v1/runtimes/host-a/workers/w/events');
    expect((await api(a.url, 'POST', '/v1/workers/w/input', { kind: 'user', content: 'before the crash' })).status).toBe(202);
    expect(await eventually(() => runEnds(onB.frames) === 1, 10_000)).toBe(true);
    const before = observations(onB.frames);
    const lastBefore = before.at(-1)!;
    expect(before.map((o) => o.sequence)).toEqual(before.map((_, i) => i + 1));

    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    a = await startHost(fileA);
    const restored = await api(a.url, 'GET', '/v1/workers/w');
    expect(restored.body.worker).toMatchObject({ state: 'idle', runGeneration: 2 });

    expect((await api(a.url, 'POST', '/v1/workers/w/input', { kind: 'user', content: 'after the restart' })).status).toBe(202);
    expect(await eventually(() => runEnds(onB.frames) === 2, 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    onB.close();
    const all = observations(onB.frames);
    // One subscriber across the crash: every event once, in order, no gap.
    expect(all.map((o) => o.sequence)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((o) => o.event.event === 'user_message').map((o) => o.event.data.segments[0].content)).toEqual([
      'before the crash',
      'after the restart',
    ]);
    expect(onB.frames.some((f) => f.event === 'reset' || f.event === 'expired')).toBe(false);

    // A pre-restart cursor resumes exactly at the first post-restart event, never aliasing one.
    const resumed = subscribe(b.url, '/v1/runtimes/host-a/workers/w/events', lastBefore.cursor);
    expect(await eventually(() => runEnds(resumed.frames) === 1, 10_000)).toBe(true);
    resumed.close();
    const after = observations(resumed.frames);
    expect(after[0].sequence).toBe(lastBefore.sequence + 1);
    expect(after.map((o) => o.cursor)).toEqual(all.slice(before.length, before.length + after.length).map((o) => o.cursor));

    // The restarted host's transcript still has the pre-crash turn (read back from Redis).
    const transcript = await api(a.url, 'GET', '/v1/workers/w/transcript');
    expect(transcript.body.entries.filter((e: { kind: string }) => e.kind === 'user')).toHaveLength(2);
  }, 60_000);

  it('a host whose Redis is unreachable does not start, and says why', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wr-two-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 0 }, bus: { kind: 'redis', url: 'redis://127.0.0.1:1' } }));
    const child = spawn(process.execPath, [MAIN, '--config', file], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/the host did not start: Redis observation bus unreachable at 127\.0\.0\.1:1/);
  });
});
