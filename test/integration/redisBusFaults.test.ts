import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisObservationBus } from '../../src/adapters/redisBus/index.js';
import { decodeCursor } from '../../src/domain/cursor.js';
import type { ObservationFrame } from '../../src/domain/observation.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { delay, sequences, takeFrames } from '../../src/testing/frames.js';
import { canSpawnRedis, connectedBus, freePort, PrivateRedis } from '../support/redisBusFixture.js';
import { commandRate, CursorLedger, expectContiguous } from '../support/redisFaultChecks.js';

// A private, non-persistent redis-server per test (a child process on a free port), so it can be
// killed with SIGKILL and restarted empty without touching the shared Redis.
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the Redis fault tests');
if (!spawnable) console.warn('skipping Redis fault tests: redis-server not found (set REDIS_SERVER)');

const text = (n: number): ProtocolEvent => ({ event: 'text_delta', data: { text: `t${n}` } });
const worker = { runtimeId: 'rt', workerId: 'w' };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.skipIf(!spawnable)('RedisObservationBus faults (private redis-server)', () => {
  let server: PrivateRedis;
  const opened: RedisObservationBus[] = [];
  const bus = async (options: { readerConnections?: number; blockMs?: number } = {}) => {
    const instance = await connectedBus({ url: server.url, keyPrefix: 'faults:', ...options });
    opened.push(instance);
    return instance;
  };
  const publishAll = async (on: RedisObservationBus, from: number, to: number) => {
    for (const n of range(from, to)) expect(await on.publish(worker, text(n))).toMatchObject({ ok: true, sequence: n });
  };

  beforeEach(async () => {
    server = new PrivateRedis(await freePort());
    await server.start();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
    await server.kill();
  });

  it('Redis killed mid-stream: publishes answer bus_error at once, subscribers wait, then get reset when it returns empty', async () => {
    const [a, b] = [await bus(), await bus()];
    const subscription = b.subscribe(worker, { queueLimit: 100 });
    await publishAll(a, 1, 10);
    const before = await takeFrames(subscription, 10);
    expect(sequences(before)).toEqual(range(1, 10));
    const lastCursor = (before.at(-1) as Extract<ObservationFrame, { type: 'observation' }>).observation.cursor;

    await server.kill();
    const started = Date.now();
    for (const n of range(11, 15)) expect(await a.publish(worker, text(n))).toMatchObject({ ok: false, reason: 'bus_error' });
    expect(Date.now() - started).toBeLessThan(1_000);
    const pending = subscription[Symbol.asyncIterator]().next();
    expect(await Promise.race([pending.then(() => 'frame'), delay(300).then(() => 'waiting')])).toBe('waiting');

    await server.start(); // same port, no data
    let restarted = await a.publish(worker, text(1));
    for (let attempt = 0; !restarted.ok && attempt < 50; attempt++) {
      await delay(100);
      restarted = await a.publish(worker, text(1));
    }
    expect(restarted).toMatchObject({ ok: true, sequence: 1 });
    const reset = (await pending).value as ObservationFrame;
    expect(reset).toMatchObject({ type: 'reset', requested: lastCursor });
    const epoch = restarted.ok ? decodeCursor(restarted.cursor)!.epoch : '';
    expect(reset).toMatchObject({ epoch });
    expect(epoch).not.toBe(decodeCursor(lastCursor)!.epoch);
    await publishAll(a, 2, 5);
    const after = await takeFrames(subscription, 5);
    expect(sequences(after)).toEqual(range(1, 5));
    expect(after.every((f) => f.type === 'observation' && decodeCursor(f.observation.cursor)!.epoch === epoch)).toBe(true);
    subscription.close();

    const stale = b.subscribe(worker, { after: lastCursor });
    const resumed = await takeFrames(stale, 6);
    expect(resumed[0]).toMatchObject({ type: 'reset', requested: lastCursor, epoch });
    expect(sequences(resumed)).toEqual(range(1, 5));
    stale.close();
    // No alias: each cursor names one event, before and after the loss; no silent loss; no loop.
    const ledger = new CursorLedger();
    ledger.frames([...before, ...after, ...resumed]);
    expectContiguous([...before, reset, ...after]);
    const stats = await server.commandStats();
    await delay(1_000);
    expect(commandRate(stats, await server.commandStats(), 1_000)).toBeLessThan(100);
  });

  it('connections dropped while Redis keeps its data: subscribers resume after their last cursor, nothing lost, no reset', async () => {
    const [a, b] = [await bus(), await bus()];
    const subscription = b.subscribe(worker, { queueLimit: 1_000 });
    await publishAll(a, 1, 20);
    const admin = new Redis(server.url);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    let next = 21;
    for (let attempt = 0; next <= 40 && attempt < 200; attempt++) {
      const published = await a.publish(worker, text(next));
      if (published.ok) next++;
      else await delay(50);
    }
    expect(next).toBe(41);
    const frames = await takeFrames(subscription, 40);
    expect(sequences(frames)).toEqual(range(1, 40));
    expect(frames.every((f) => f.type === 'observation')).toBe(true);
    subscription.close();
    admin.disconnect();
  });

  it('reads many Worker streams over exactly `readerConnections` blocking connections', async () => {
    const [a, b] = [await bus(), await bus({ readerConnections: 2 })];
    const workers = range(1, 20).map((n) => ({ runtimeId: 'rt', workerId: `w${n}` }));
    const subscriptions = workers.map((w) => b.subscribe(w));
    await Promise.all(workers.map((w, i) => a.publish(w, text(i))));
    for (const subscription of subscriptions) expect(sequences(await takeFrames(subscription, 1))).toEqual([1]);
    const admin = new Redis(server.url);
    const clients = (await admin.client('LIST')) as string;
    admin.disconnect();
    expect(clients.split('\n').filter((line) => line.includes('name=wr-obs-reader'))).toHaveLength(2);
    for (const subscription of subscriptions) subscription.close();
  });
});
