import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../../src/host/createHost.js';
import { HostConfigSchema } from '../../src/host/hostConfig.js';
import { delay, eventually } from '../../src/testing/index.js';
import { commandRate, within } from '../support/redisFaultChecks.js';
import { canSpawnRedis, PrivateRedis } from '../support/redisServer.js';

// A host on a private redis-server that is killed and frozen (SIGSTOP) under it.
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the Redis fault tests');

const TOKEN = 'redis-host-faults-token-0123456789';
const MAIN = join(process.cwd(), 'dist/host/main.js');
const auth = { authorization: `Bearer ${TOKEN}` };
const stores = (url: string, timeoutMs: number) => ({
  bus: { kind: 'redis', url, keyPrefix: 'h:obs:', commandTimeoutMs: timeoutMs, blockMs: 200, connectTimeoutMs: 500 },
  catalog: { kind: 'redis', url, keyPrefix: 'h:cat:', commandTimeoutMs: timeoutMs, connectTimeoutMs: 500, checkMs: 200 },
});
const entry = JSON.stringify({
  workerId: 'ow', profile: 'demo', displayName: null, state: 'idle', diagnostic: null, runGeneration: 1, restoreToken: null, createdAt: 1, updatedAt: 1,
});

describe.skipIf(!spawnable)('a host on a Redis that fails under it (private redis-server)', () => {
  let server: PrivateRedis;
  let host: Host | null = null;
  afterEach(async () => {
    server.thaw();
    await host?.close();
    host = null;
    await server.dispose();
  });

  it("another Runtime's Worker during an outage or a freeze: 503 store_unavailable within the deadline, never a 404; transcripts too", async () => {
    server = await PrivateRedis.create();
    await server.admin((redis) => redis.hset('h:cat:catalog:other', 'ow', entry));
    const config = HostConfigSchema.parse({ listen: { port: 0 }, token: TOKEN, log: { level: 'silent' }, profiles: { demo: { backend: 'fake' } }, ...stores(server.url, 500) });
    host = createHost(config);
    const url = await host.listen();
    const get = (path: string) => fetch(`${url}${path}`, { headers: auth }).then(async (r) => ({ status: r.status, body: r.headers.get('content-type')?.includes('json') ? ((await r.json()) as any) : null, response: r }));
    expect((await fetch(`${url}/v1/workers`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"workerId":"mine","profile":"demo"}' })).status).toBe(201);

    const healthy = await get('/v1/runtimes/other/workers/ow/events');
    expect(healthy.status).toBe(200);
    await healthy.response.body?.cancel();
    expect((await get('/v1/runtimes/other/workers/nobody/events')).status).toBe(404);

    server.freeze();
    for (const path of ['/v1/runtimes/other/workers/ow/events', '/v1/workers/mine/transcript']) {
      const frozen = await within(3_000, get(path));
      expect(frozen).toMatchObject({ status: 503, body: { result: { outcome: 'errored', reason: 'store_unavailable' } } });
    }
    server.thaw();
    await server.kill();
    const down = await within(3_000, get('/v1/runtimes/other/workers/ow/events'));
    expect(down).toMatchObject({ status: 503, body: { result: { reason: 'store_unavailable' } } });
  });

  it('SIGTERM while Redis is frozen: streams get their end frame and the host exits 0 within shutdownGraceMs', async () => {
    server = await PrivateRedis.create();
    const dir = mkdtempSync(join(tmpdir(), 'wr-redis-host-'));
    const file = join(dir, 'config.json');
    const grace = 8_000;
    const config = { listen: { port: 0 }, log: { level: 'warn' }, profiles: { demo: { backend: 'fake' } }, shutdownGraceMs: grace, runtime: { deadlines: { catalogFlushMs: 1_500 } }, ...stores(server.url, 1_000) };
    writeFileSync(file, JSON.stringify(config));
    const child = spawn(process.execPath, [MAIN, '--config', file], { env: { PATH: process.env.PATH, WORKER_RUNTIME_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.stderr!.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      expect(await eventually(() => /listening on (\S+)/.test(out), 15_000)).toBe(true);
      const url = /listening on (\S+)/.exec(out)![1]!;
      const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/v1/workers', { workerId: 'w', profile: 'demo' })).status).toBe(201);
      expect((await post('/v1/workers/w/input', { kind: 'user', content: 'stay busy #hold' })).status).toBe(202);
      const stream = await fetch(`${url}/v1/workers/w/events`, { headers: auth });
      const text = stream.text();
      await delay(300);

      await server.resetStats();
      server.freeze();
      await post('/v1/workers/w/stop', {}).catch(() => undefined); // catalog writes now wait on a frozen Redis
      const started = Date.now();
      child.kill('SIGTERM');
      const code = await within(grace + 2_000, exited);
      expect(code, out).toBe(0);
      expect(Date.now() - started).toBeLessThan(grace);
      expect(await text).toMatch(/event: end\ndata: \{"type":"end","reason":"shutdown"\}/);
      expect(out).not.toMatch(/shutdown took too long/);
    } finally {
      child.kill('SIGKILL');
    }
    // What the host sent while Redis was frozen runs once it wakes up: a handful, not a loop.
    server.thaw();
    await delay(500);
    expect(commandRate({}, await server.commandStats(), 1_000)).toBeLessThan(300);
  });
});
