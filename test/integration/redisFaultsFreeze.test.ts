import { afterEach, describe, expect, it } from 'vitest';
import type { RedisObservationBus } from '../../src/adapters/redisBus/index.js';
import { RedisWorkerCatalog } from '../../src/adapters/redisCatalog/index.js';
import { delay } from '../../src/testing/frames.js';
import { connectedBus } from '../support/redisBusFixture.js';
import { commandRate, CursorLedger, expectContiguous, note, record, textOf, until, within } from '../support/redisFaultChecks.js';
import { canSpawnRedis, PrivateRedis } from '../support/redisServer.js';

// SIGSTOP: the server keeps its connections open and answers nothing, the fault a deadline is for.
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the Redis fault tests');

const worker = { runtimeId: 'rt', workerId: 'w' };
const DEADLINE = 500;
const entry = { workerId: 'w', profile: 'p', displayName: null, state: 'idle' as const, diagnostic: null, runGeneration: 1, restoreToken: null, createdAt: 1, updatedAt: 1 };

describe.skipIf(!spawnable)('Redis frozen with SIGSTOP (private redis-server)', () => {
  let server: PrivateRedis;
  const opened: { close(): Promise<void> }[] = [];
  const bus = async () => {
    const instance = await connectedBus({ url: server.url, keyPrefix: 'freeze:', commandTimeoutMs: DEADLINE, blockMs: 200 });
    opened.push(instance);
    return instance;
  };
  afterEach(async () => {
    server.thaw();
    await Promise.all(opened.splice(0).map((o) => o.close()));
    await server.dispose();
  });

  it('every call answers or fails typed within its deadline; subscribers resume after SIGCONT, nothing lost, no loop meanwhile', async () => {
    server = await PrivateRedis.create();
    const cursors = new CursorLedger();
    const [a, b] = [await bus(), await bus()];
    const catalog = new RedisWorkerCatalog(server.url, 'freeze:', { commandTimeoutMs: DEADLINE });
    opened.push(catalog);
    await catalog.connect();
    await catalog.save('rt', entry);
    const live = record(b.subscribe(worker, { queueLimit: 100 }));
    for (const n of [1, 2, 3]) cursors.published(await a.publish(worker, note(`e${n}`)), `e${n}`);
    await until(live.frames, (f) => f.length >= 3);

    await server.resetStats();
    server.freeze();
    const slack = DEADLINE * 4; // the deadline plus a generous margin for a loaded machine
    expect(await within(slack, a.publish(worker, note('frozen')))).toMatchObject({
      ok: false,
      reason: 'bus_error',
      message: 'observation bus: Redis timed out (the event may still be stored)',
    });
    await expect(within(slack, b.read(worker, { limit: 10 }))).rejects.toThrow(/timed out/);
    await expect(within(slack, catalog.get('rt', 'w'))).rejects.toThrow(/timed out/);
    await expect(within(slack, catalog.save('rt', entry))).rejects.toThrow(/timed out/);
    const late = record(b.subscribe(worker)); // answers at once; waits for Redis in the background
    await within(slack, a.drop({ runtimeId: 'rt', workerId: 'other' }, 'worker_removed'));
    await delay(2_000);
    expect(live.frames).toHaveLength(3);
    expect(late.frames).toHaveLength(0);

    server.thaw();
    // What queued up while frozen runs now: a few commands per second of freeze, not a loop.
    await delay(300);
    const stats = await server.commandStats();
    expect(commandRate({}, stats, 3_000, ['xread'])).toBeLessThan(10);
    expect(commandRate({}, stats, 3_000)).toBeLessThan(100);

    for (const n of [4, 5]) {
      let result = await a.publish(worker, note(`e${n}`));
      for (let i = 0; !result.ok && i < 50; i++) result = (await delay(50), await a.publish(worker, note(`e${n}`)));
      cursors.published(result, `e${n}`);
    }
    await until(live.frames, (f) => f.some((x) => textOf(x) === 'e5'));
    // The publish that timed out ran once Redis woke up: it is delivered, in its place, as its answer said it might be.
    expect(live.frames.map(textOf)).toEqual(['e1', 'e2', 'e3', 'frozen', 'e4', 'e5']);
    expectContiguous(live.frames);
    await until(late.frames, (f) => f.length >= 6);
    expect(late.frames.map(textOf)).toEqual(['e1', 'e2', 'e3', 'frozen', 'e4', 'e5']);
    expect(await catalog.get('rt', 'w')).toEqual(entry);
    cursors.frames([...live.frames, ...late.frames]);
    live.close();
    late.close();
  });

  it('close() of the bus and the catalog returns within its deadline while Redis is frozen', async () => {
    server = await PrivateRedis.create();
    const a = await bus();
    const catalog = new RedisWorkerCatalog(server.url, 'freeze:', { commandTimeoutMs: DEADLINE });
    await catalog.connect();
    const live = record(a.subscribe(worker));
    await a.publish(worker, note('e1'));
    await until(live.frames, (f) => f.length >= 1);
    server.freeze();
    await within(3_000, Promise.all([a.close(), catalog.close()]));
    await until(live.frames, (f) => f.at(-1)?.type === 'end');
    expect(live.frames.at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
  });

  it('connect() to a frozen Redis rejects within connectTimeoutMs instead of hanging', async () => {
    server = await PrivateRedis.create();
    server.freeze();
    const catalog = new RedisWorkerCatalog(server.url, 'freeze:', { commandTimeoutMs: DEADLINE, connectTimeoutMs: DEADLINE });
    await expect(within(3_000, catalog.connect())).rejects.toThrow(/Redis catalog unreachable/);
    await catalog.close();
    const instance = connectedBus({ url: server.url, keyPrefix: 'freeze:', connectTimeoutMs: DEADLINE, commandTimeoutMs: DEADLINE });
    await expect(within(3_000, instance)).rejects.toThrow(/unreachable/);
  });
});
