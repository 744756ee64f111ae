import { afterEach, describe, expect, it } from 'vitest';
import type { RedisObservationBus } from '../../src/adapters/redisBus/index.js';
import { decodeCursor } from '../../src/domain/cursor.js';
import type { PublishResult } from '../../src/ports/executionContext.js';
import { delay, takeFrames } from '../../src/testing/frames.js';
import { connectedBus } from '../support/redisBusFixture.js';
import { commandRate, CursorLedger, expectContiguous, note, record, textOf, until, within } from '../support/redisFaultChecks.js';
import { canSpawnRedis, PrivateRedis, type Persistence } from '../support/redisServer.js';

// Each case runs its own redis-server (random loopback port, stopped by pid), never the shared one.
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the Redis fault tests');

const worker = { runtimeId: 'rt', workerId: 'w' };
const epochOf = (result: PublishResult) => (result.ok ? decodeCursor(result.cursor)!.epoch : null);

describe.skipIf(!spawnable)('Redis bus: data lost, kept or rolled back (private redis-server)', () => {
  let server: PrivateRedis;
  const opened: RedisObservationBus[] = [];
  const ledger = () => new CursorLedger();
  const start = async (persistence: Persistence) => (server = await PrivateRedis.create(persistence));
  const bus = async (options: { blockMs?: number; readerConnections?: number } = {}) => {
    const instance = await connectedBus({ url: server.url, keyPrefix: 'faults:', commandTimeoutMs: 500, blockMs: 200, ...options });
    opened.push(instance);
    return instance;
  };
  /** Publishes `texts` in order, retrying `bus_error` while Redis comes back; every answer noted. */
  const publishAll = async (on: RedisObservationBus, texts: string[], cursors: CursorLedger, ref = worker) => {
    const results: PublishResult[] = [];
    for (const text of texts) {
      let result = await on.publish(ref, note(text));
      for (let attempt = 0; !result.ok && attempt < 100; attempt++) {
        await delay(50);
        result = await on.publish(ref, note(text));
      }
      expect(result).toMatchObject({ ok: true });
      cursors.published(result, text);
      results.push(result);
    }
    return results;
  };
  const names = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
    await server.dispose();
  });

  it('restart with persistence (AOF always): subscribers and old cursors continue exactly, no reset, nothing lost', async () => {
    await start('aof-always');
    const cursors = ledger();
    const [a, b] = [await bus(), await bus()];
    const live = record(b.subscribe(worker, { queueLimit: 1_000 }));
    const before = await publishAll(a, names('e', 1, 20), cursors);
    await until(live.frames, (f) => f.length >= 20);

    await server.kill();
    for (const text of names('down', 1, 3)) expect(await within(1_000, a.publish(worker, note(text)))).toMatchObject({ ok: false, reason: 'bus_error' });
    await server.start();
    await publishAll(a, names('e', 21, 30), cursors);
    await until(live.frames, (f) => f.length >= 30);
    expect(live.frames.map(textOf)).toEqual(names('e', 1, 30));
    expectContiguous(live.frames);

    const resumed = await takeFrames(b.subscribe(worker, { after: before[9]!.ok ? before[9]!.cursor : null }), 20);
    expect(resumed.map(textOf)).toEqual(names('e', 11, 30));
    cursors.frames([...live.frames, ...resumed]);

    // Idle afterwards: a few re-checks per second, no loop.
    const stats = await server.commandStats();
    await delay(1_000);
    expect(commandRate(stats, await server.commandStats(), 1_000)).toBeLessThan(100); // a spin runs thousands
    live.close();
  });

  it('rollback to an older snapshot: the publisher that saw more starts a new epoch; live and old cursors get reset, never an alias', async () => {
    await start('none');
    const cursors = ledger();
    const [a, b] = [await bus(), await bus()];
    const live = record(b.subscribe(worker, { queueLimit: 1_000 }));
    await publishAll(a, names('e', 1, 10), cursors);
    await server.snapshot();
    const lost = await publishAll(a, names('e', 11, 30), cursors);
    await until(live.frames, (f) => f.length >= 30);
    const oldEpoch = epochOf(lost[0]!)!;

    await server.rollBack(); // back with e1..e10 only, in the same epoch
    const after = await publishAll(a, names('new', 1, 5), cursors);
    expect(after.map(epochOf).every((e) => e !== oldEpoch)).toBe(true);
    await until(live.frames, (f) => f.some((x) => textOf(x) === 'new5'));
    const reset = live.frames.findIndex((f) => f.type === 'reset');
    expect(reset).toBe(30); // everything before the loss, then an explicit reset
    expect(live.frames.slice(reset + 1).map(textOf)).toEqual(names('new', 1, 5));
    expectContiguous(live.frames);

    for (const old of [lost[0]!, lost[14]!]) {
      const frames = await takeFrames(b.subscribe(worker, { after: old.ok ? old.cursor : null }), 6);
      expect(frames[0]).toMatchObject({ type: 'reset', epoch: epochOf(after[0]!) });
      expect(frames.slice(1).map(textOf)).toEqual(names('new', 1, 5));
      cursors.frames(frames);
    }
    cursors.frames(live.frames);
    live.close();
  });

  it('rollback seen only by a reader holding a cursor beyond the head: it starts the new epoch before anyone publishes', async () => {
    await start('none');
    const cursors = ledger();
    const a = await bus();
    const lost = await (async () => {
      await publishAll(a, names('e', 1, 10), cursors);
      await server.snapshot();
      return publishAll(a, names('e', 11, 25), cursors);
    })();
    await a.close();
    await server.rollBack();

    const [reader, fresh] = [await bus(), await bus()]; // two processes that never saw e11..e25 published
    const resumed = record(reader.subscribe(worker, { after: lost[14]!.ok ? lost[14]!.cursor : null }));
    await until(resumed.frames, (f) => f.length >= 1);
    expect(resumed.frames).toEqual([expect.objectContaining({ type: 'reset', requested: lost[14]!.ok && lost[14]!.cursor })]);
    const next = await publishAll(fresh, ['x1', 'x2'], cursors);
    expect(next.map((r) => r.ok && r.sequence)).toEqual([1, 2]); // a new epoch: e11.. can never be reused
    expect(epochOf(next[0]!)).not.toBe(epochOf(lost[0]!));
    expect(resumed.frames[0]).toMatchObject({ epoch: epochOf(next[0]!) });
    await until(resumed.frames, (f) => f.length >= 3);
    expect(resumed.frames.slice(1).map(textOf)).toEqual(['x1', 'x2']);
    expectContiguous(resumed.frames);
    cursors.frames(resumed.frames);
    resumed.close();
  });

  it('a wiped stream next to a busy one is noticed by the periodic re-check: reset, then its new events', async () => {
    await start('none');
    const cursors = ledger();
    const [a, b] = [await bus(), await bus({ blockMs: 300, readerConnections: 1 })];
    const quiet = { runtimeId: 'rt', workerId: 'quiet' };
    const busy = { runtimeId: 'rt', workerId: 'busy' };
    const onQuiet = record(b.subscribe(quiet));
    const onBusy = record(b.subscribe(busy, { queueLimit: 10_000 }));
    await publishAll(a, names('q', 1, 3), cursors, quiet);
    await until(onQuiet.frames, (f) => f.length >= 3);
    let chatter = 0;
    const ticking = setInterval(() => void a.publish(busy, note(`b${chatter++}`)), 40);
    try {
      await delay(300);
      await server.admin((redis) => redis.del('faults:{rt:quiet}:log', 'faults:{rt:quiet}:meta'));
      await publishAll(a, names('r', 1, 3), cursors, quiet);
      // Within a few re-check periods, although the busy stream never lets the reader idle.
      await until(onQuiet.frames, (f) => f.some((x) => textOf(x) === 'r3'), 3_000);
    } finally {
      clearInterval(ticking);
    }
    const reset = onQuiet.frames.findIndex((f) => f.type === 'reset');
    expect(reset).toBe(3);
    expect(onQuiet.frames.slice(reset + 1).map(textOf)).toEqual(names('r', 1, 3));
    expectContiguous(onQuiet.frames);
    expectContiguous(onBusy.frames);
    cursors.frames([...onQuiet.frames, ...onBusy.frames]);
    onQuiet.close();
    onBusy.close();
  });
});
