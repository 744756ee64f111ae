import { afterEach, describe, expect, it } from 'vitest';
import { fakeBackendModule } from '../../src/adapters/fakeBackend/fakeBackendModule.js';
import { redisBusModule, RedisObservationBus } from '../../src/adapters/redisBus/index.js';
import { redisCatalogModule, RedisWorkerCatalog } from '../../src/adapters/redisCatalog/index.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { decodeCursor } from '../../src/domain/cursor.js';
import { textInput } from '../../src/domain/workerInput.js';
import { createHost, type Host } from '../../src/host/createHost.js';
import { HostConfigSchema } from '../../src/host/hostConfig.js';
import { takeFrames, takeUntil } from '../../src/testing/index.js';
import { eventuallyAsync, within } from '../support/redisFaultChecks.js';
import { canSpawnRedis, PrivateRedis, type Persistence } from '../support/redisServer.js';

// Runtimes (the library, with the FAKE backend) on a private redis-server that goes away under them.
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the Redis fault tests');

const CATALOG = 'c:cat:catalog:rt';
const stores = (url: string) => ({
  bus: { url, keyPrefix: 'c:obs:', commandTimeoutMs: 500, blockMs: 200, connectTimeoutMs: 500 },
  catalog: { url, keyPrefix: 'c:cat:', commandTimeoutMs: 500, connectTimeoutMs: 500, checkMs: 200 },
});

describe.skipIf(!spawnable)('Worker catalog and streams when Redis fails (private redis-server)', () => {
  let server: PrivateRedis;
  const running: { close(): Promise<void> }[] = [];
  const start = async (persistence: Persistence) => (server = await PrivateRedis.create(persistence));
  /** One "process": a Runtime on the private Redis, its Workers restored from the catalog. */
  const boot = async (runtimeId = 'rt') => {
    const { bus, catalog } = stores(server.url);
    const container = createRuntimeContainer({
      runtime: { runtimeId, profiles: { fake: { backend: 'fake' } } },
      bus: redisBusModule(bus),
      catalog: redisCatalogModule(catalog),
      backends: [fakeBackendModule({ backendId: 'fake' })],
    });
    await container.get(RedisObservationBus).connect();
    await container.get(RedisWorkerCatalog).connect();
    const runtime = container.get(WorkerRuntime);
    const restored = await runtime.restoreWorkers();
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await runtime.shutdown();
      await container.get(RedisWorkerCatalog).close();
    };
    running.push({ close });
    return { runtime, restored, close };
  };
  const stored = () => server.admin(async (redis) => Object.fromEntries(Object.entries(await redis.hgetall(CATALOG)).map(([id, json]) => [id, json])));
  const stateOf = async (workerId: string) => {
    const json = (await stored())[workerId];
    return json ? (JSON.parse(json) as { state: string }).state : null;
  };
  /** Runs one input and returns the cursor of its last event. */
  const run = async (runtime: WorkerRuntime, workerId: string, text: string) => {
    const observed = runtime.observe(workerId);
    if (!observed.ok) throw new Error('not observable');
    expect(await runtime.submitInput(workerId, textInput(text))).toMatchObject({ outcome: 'accepted' });
    const frames = await takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'run_end', 10_000);
    observed.subscription.close();
    const last = frames.at(-1)!;
    return last.type === 'observation' ? last.observation.cursor : '';
  };

  afterEach(async () => {
    for (const process of running.splice(0)) await process.close();
    await server.dispose();
  });

  it('Workers removed while Redis was down stay removed: the writes land when it is back, a restart does not bring them back', async () => {
    await start('aof-always');
    const first = await boot();
    for (const id of ['w1', 'w2']) await first.runtime.create({ workerId: id, profile: 'fake' });
    const old = await run(first.runtime, 'w1', 'before the outage');
    for (const id of ['w1', 'w2']) expect(await first.runtime.stop(id)).toMatchObject({ reason: 'stopped' });
    expect(await eventuallyAsync(async () => (await stateOf('w1')) === 'stopped' && (await stateOf('w2')) === 'stopped', 5_000)).toBe(true);

    await server.kill();
    for (const id of ['w1', 'w2']) expect(await within(3_000, first.runtime.remove(id))).toMatchObject({ outcome: 'accepted', reason: 'removed' });
    await server.start(); // with its data: both entries and both streams are still there
    expect(Object.keys(await stored()).sort()).toEqual(['w1', 'w2']);
    const landed = async () => Object.keys(await stored()).length === 0 && (await server.admin((r) => r.exists('c:obs:{rt:w1}:log', 'c:obs:{rt:w2}:log'))) === 0;
    expect(await eventuallyAsync(landed, 10_000, 100)).toBe(true);

    await first.close();
    const second = await boot();
    expect(second.restored).toEqual([]);
    expect(second.runtime.list()).toEqual([]);
    await second.runtime.create({ workerId: 'w1', profile: 'fake' });
    const observed = second.runtime.observe('w1', { after: old });
    expect(observed.ok && (await takeFrames(observed.subscription, 1))[0]).toMatchObject({ type: 'reset', requested: old });
  });

  it('a Worker id created again never continues the old stream, even when the stream outlived the removal', async () => {
    await start('none');
    const first = await boot();
    await first.runtime.create({ workerId: 'w3', profile: 'fake' });
    const old = await run(first.runtime, 'w3', 'the first Worker');
    await first.close();
    await server.admin((redis) => redis.hdel(CATALOG, 'w3')); // the removal reached the catalog, not the stream

    const second = await boot();
    await second.runtime.create({ workerId: 'w3', profile: 'fake' });
    const fresh = await run(second.runtime, 'w3', 'the second Worker');
    expect(decodeCursor(fresh)!.epoch).not.toBe(decodeCursor(old)!.epoch);
    const observed = second.runtime.observe('w3', { after: old });
    expect(observed.ok && (await takeFrames(observed.subscription, 1))[0]).toMatchObject({ type: 'reset', requested: old });
    const transcript = await second.runtime.transcript('w3');
    expect(transcript.ok && transcript.entries.filter((e) => e.kind === 'user')).toEqual([expect.objectContaining({ segments: [expect.objectContaining({ content: 'the second Worker' })] })]);
  });

  it('after Redis lost its data the whole catalog is written again, so other Runtimes still find the Workers', async () => {
    await start('none');
    const owner = await boot('rt');
    const other = await boot('other');
    for (const id of ['w1', 'w2']) await owner.runtime.create({ workerId: id, profile: 'fake' });
    expect(await eventuallyAsync(async () => Object.keys(await stored()).length === 2, 5_000)).toBe(true);
    expect((await other.runtime.observeAcross({ runtimeId: 'rt', workerId: 'w1' })).ok).toBe(true);

    await server.kill();
    await server.start(); // empty
    expect(await eventuallyAsync(async () => Object.keys(await stored()).sort().join() === 'w1,w2', 10_000, 100)).toBe(true);
    const across = await other.runtime.observeAcross({ runtimeId: 'rt', workerId: 'w2' });
    expect(across.ok).toBe(true);
    if (across.ok) across.subscription.close();
  });

  it('a corrupt catalog entry: listed unavailable with catalog_entry_corrupt and logged, kept as stored until removed', async () => {
    await start('none');
    const corrupt = { 'w-bad': 'not JSON {', 'w-half': '{"workerId":"w-half","profile":"fake","runGeneration":3}' };
    await server.admin((redis) => redis.hset(CATALOG, corrupt));
    const logs: string[] = [];
    const { bus, catalog } = stores(server.url);
    const config = HostConfigSchema.parse({
      listen: { port: 0 }, token: 'corrupt-catalog-token-0123456789', log: { level: 'warn' }, runtime: { runtimeId: 'rt' },
      profiles: { fake: { backend: 'fake' } }, bus: { kind: 'redis', ...bus }, catalog: { kind: 'redis', ...catalog },
    });
    const host: Host = createHost(config, { logStream: { write: (line) => void logs.push(line) } });
    running.push({ close: () => host.close() });
    const url = await host.listen();
    const headers = { authorization: 'Bearer corrupt-catalog-token-0123456789' };
    const { workers } = (await (await fetch(`${url}/v1/workers`, { headers })).json()) as { workers: any[] };
    expect(workers.map((w) => w.workerId).sort()).toEqual(['w-bad', 'w-half']);
    for (const worker of workers) expect(worker).toMatchObject({ state: 'unavailable', diagnostic: { code: 'catalog_entry_corrupt' } });
    expect(workers.find((w) => w.workerId === 'w-half')).toMatchObject({ profile: 'fake', runGeneration: 4 });
    for (const id of ['w-bad', 'w-half']) expect(logs.some((line) => line.includes('catalog_entry_corrupt') && line.includes(id))).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stored()).toEqual(corrupt); // not overwritten with a made-up entry
    expect((await fetch(`${url}/v1/workers/w-bad`, { method: 'DELETE', headers })).status).toBe(202);
    expect(await eventuallyAsync(async () => !('w-bad' in (await stored())), 5_000)).toBe(true);
  });
});
