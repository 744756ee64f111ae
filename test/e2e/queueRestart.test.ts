import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';
import { canSpawnRedis, PrivateRedis } from '../support/redisServer.js';

/**
 * The durable queue against a real crash: a host process (`dist/host/main.js`) on a PRIVATE
 * redis-server, with inputs queued behind a run, killed with `kill -9`; a new host process on the same
 * Redis restores the Worker and dispatches every queued input exactly once, in order (counted on the
 * Worker's own stream, which survives in Redis). A kill in the middle of the drain loses none and
 * dispatches none twice.
 */
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the queue restart test');

const TOKEN = 'queue-restart-token-0123456789';
const MAIN = join(process.cwd(), 'dist/host/main.js');
const auth = { authorization: `Bearer ${TOKEN}` };

interface HostProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

async function startHost(config: object): Promise<HostProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'wr-queue-restart-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [MAIN, '--config', file], { env: { PATH: process.env.PATH, WORKER_RUNTIME_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const up = await eventually(() => /listening on (\S+)/.test(out), 20_000, 20);
  if (!up) throw new Error(`the host did not start: ${out}`);
  return { child, url: /listening on (\S+)/.exec(out)![1]!, exited };
}

async function call(host: HostProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init = body === undefined ? { method, headers: auth } : { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(`${host.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

/** The user messages on the Worker's stream, by their text (the stream lives in Redis: it spans both processes). */
async function userMessages(host: HostProcess, workerId: string): Promise<string[]> {
  const transcript = await call(host, 'GET', `/v1/workers/${workerId}/transcript`);
  return (transcript.body.entries as { kind: string; segments?: { content?: string }[] }[]).filter((e) => e.kind === 'user').map((e) => String(e.segments?.[0]?.content));
}

describe.skipIf(!spawnable)('the input queue survives kill -9 of its host (Redis, real processes)', () => {
  let server: PrivateRedis;
  const hosts: HostProcess[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) {
      host.child.kill('SIGKILL');
      await host.exited;
    }
    await server.dispose();
  });

  const configFor = (url: string) => ({
    listen: { port: 0 },
    log: { level: 'warn' },
    runtime: { runtimeId: 'crashy' },
    profiles: { q: { backend: 'fake', busy: { policy: 'enqueue', queueLimit: 50 } } },
    bus: { kind: 'redis', url, keyPrefix: 'q:obs:', connectTimeoutMs: 1_000 },
    catalog: { kind: 'redis', url, keyPrefix: 'q:cat:', connectTimeoutMs: 1_000 },
  });

  async function killNine(host: HostProcess): Promise<void> {
    host.child.kill('SIGKILL');
    await host.exited;
    hosts.splice(hosts.indexOf(host), 1);
  }

  it('inputs queued behind a run at the kill are each dispatched exactly once after the restart, in order', async () => {
    server = await PrivateRedis.create('aof-always');
    const first = await startHost(configFor(server.url));
    hosts.push(first);
    expect((await call(first, 'POST', '/v1/workers', { workerId: 'w', profile: 'q' })).status).toBe(201);
    expect((await call(first, 'POST', '/v1/workers/w/input', { kind: 'user', content: 'held run #hold' })).body.result.reason).toBe('committed');
    const texts = Array.from({ length: 5 }, (_, i) => `queued input ${i}`);
    const queued = [];
    for (const [i, content] of texts.entries()) {
      const answer = await call(first, 'POST', '/v1/workers/w/input', { kind: 'user', content, idempotencyKey: `key-${i}` });
      expect(answer).toMatchObject({ status: 202, body: { result: { outcome: 'queued', position: i + 1 } } });
      queued.push(answer.body.result.submissionId as string);
    }
    await killNine(first);

    const second = await startHost(configFor(server.url));
    hosts.push(second);
    const drained = async () => (await call(second, 'GET', '/v1/workers/w/queue')).body.queue?.entries.length === 0;
    let done = false;
    for (let i = 0; i < 200 && !done; i++) {
      done = (await drained()) && (await call(second, 'GET', '/v1/workers/w')).body.worker.state === 'idle';
      if (!done) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(done).toBe(true);
    expect(await userMessages(second, 'w')).toEqual(['held run #hold', ...texts]);
    for (const id of queued) {
      expect((await call(second, 'GET', `/v1/workers/w/queue/${id}`)).body.submission).toMatchObject({ status: 'settled', settlement: { outcome: 'committed' } });
    }
    // A client that never saw its answer retries with its key: the same submission, nothing queued again.
    const retry = await call(second, 'POST', '/v1/workers/w/input', { kind: 'user', content: texts[2], idempotencyKey: 'key-2' });
    expect(retry.body.result).toMatchObject({ outcome: 'queued', submissionId: queued[2] });
    expect((await userMessages(second, 'w')).filter((t) => t === texts[2])).toHaveLength(1);
  });

  it('a kill in the middle of the drain: none lost, none dispatched twice, each input ends in exactly one outcome', async () => {
    server = await PrivateRedis.create('aof-always');
    const first = await startHost(configFor(server.url));
    hosts.push(first);
    await call(first, 'POST', '/v1/workers', { workerId: 'w', profile: 'q' });
    await call(first, 'POST', '/v1/workers/w/input', { kind: 'user', content: 'held run #hold' });
    const texts = Array.from({ length: 6 }, (_, i) => `drained input ${i}`);
    const queued: string[] = [];
    for (const content of texts) queued.push((await call(first, 'POST', '/v1/workers/w/input', { kind: 'user', content })).body.result.submissionId);
    // End the held run: the host's fake spaces its events 30 ms apart, so the drain takes a while.
    expect((await call(first, 'POST', '/v1/workers/w/cancel')).body.result.reason).toBe('cancelled');
    let left = texts.length;
    for (let i = 0; i < 400 && left > texts.length - 2; i++) {
      left = (await call(first, 'GET', '/v1/workers/w/queue')).body.queue.entries.length;
      if (left > texts.length - 2) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(left).toBeLessThanOrEqual(texts.length - 2);
    expect(left).toBeGreaterThan(0);
    await killNine(first);

    const second = await startHost(configFor(server.url));
    hosts.push(second);
    let settled: { outcome: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const reads = await Promise.all(queued.map((id) => call(second, 'GET', `/v1/workers/w/queue/${id}`)));
      settled = reads.flatMap((r) => (r.body.submission?.status === 'settled' ? [r.body.submission.settlement] : []));
      if (settled.length === queued.length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(settled).toHaveLength(queued.length);
    const messages = await userMessages(second, 'w');
    texts.forEach((text, i) => {
      const count = messages.filter((m) => m === text).length;
      expect(count, `${text} on the stream at most once`).toBeLessThanOrEqual(1);
      // Committed means on the stream exactly once; `unknown` (handed over as the host died) at most once.
      if (settled[i]!.outcome === 'committed') expect(count, `${text} committed once`).toBe(1);
      else expect(settled[i]!.outcome, `${text}: ${JSON.stringify(settled[i])}`).toBe('unknown');
    });
    // In arrival order: what reached the stream is a subsequence of the queue's order.
    expect(messages.filter((m) => texts.includes(m))).toEqual(texts.filter((t) => messages.includes(t)));
  });
});
