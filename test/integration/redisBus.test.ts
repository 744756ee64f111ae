import { Container } from 'inversify';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBusUnavailableError, RedisObservationBus, redisBusModule } from '../../src/adapters/redisBus/index.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { systemModule } from '../../src/adapters/system/systemModule.js';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { RedisBusOptionsSchema } from '../../src/adapters/redisBus/redisBusOptions.js';
import { ObservationPublisherPort } from '../../src/ports/observationPublisherPort.js';
import { ObservationReaderPort } from '../../src/ports/observationReaderPort.js';
import { sequences, takeFrames, takeUntil } from '../../src/testing/frames.js';
import { redisOrSkip } from '../support/redis.js';
import { connectedBus, deletePrefix, uniquePrefix } from '../support/redisBusFixture.js';

const url = await redisOrSkip();
const text = (n: number): ProtocolEvent => ({ event: 'text_delta', data: { text: `t${n}` } });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.skipIf(!url)('RedisObservationBus across two instances (real Redis)', () => {
  const opened: RedisObservationBus[] = [];
  let keyPrefix: string;
  const bus = async (options: { retentionPerWorker?: number; readerConnections?: number; blockMs?: number } = {}) => {
    const instance = await connectedBus({ url: url!, keyPrefix, ...options });
    opened.push(instance);
    return instance;
  };
  const worker = (id = 'w') => ({ runtimeId: 'rt', workerId: id });

  beforeAll(() => {
    keyPrefix = uniquePrefix('integration');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
    await deletePrefix(url!, keyPrefix);
    keyPrefix = uniquePrefix('integration');
  });

  it('a subscriber on instance B receives every event instance A publishes, in order, once', async () => {
    const [a, b] = [await bus(), await bus()];
    const subscription = b.subscribe(worker(), { queueLimit: 5_000 });
    await a.publish(worker(), text(0)); // the stream exists and B reads it live from here on
    const frames = takeFrames(subscription, 2_001, 10_000);
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(range(batch * 100 + 1, batch * 100 + 100).map((n) => a.publish(worker(), text(n))));
    }
    const received = await frames;
    subscription.close();
    expect(sequences(received)).toEqual(range(1, 2_001));
    expect(received.every((f) => f.type === 'observation')).toBe(true);
  });

  it('two publishing instances never alias: sequences stay contiguous per Worker', async () => {
    const [a, b] = [await bus(), await bus()];
    const results = await Promise.all(range(1, 400).map((n) => (n % 2 ? a : b).publish(worker(), text(n))));
    const assigned = results.map((r) => (r.ok ? r.sequence : -1)).sort((x, y) => x - y);
    expect(assigned).toEqual(range(1, 400));
    const epochs = new Set(results.map((r) => (r.ok ? decodeCursor(r.cursor)?.epoch : null)));
    expect(epochs.size).toBe(1);
  });

  it('publishes to several Workers in one turn get each Worker\'s sequences in call order', async () => {
    const a = await bus();
    const calls = range(0, 299).map((n) => ({ ref: worker(`w${n % 3}`), n }));
    const results = await Promise.all(calls.map(({ ref, n }) => a.publish(ref, text(n))));
    for (const id of ['w0', 'w1', 'w2']) {
      const mine = results.filter((_, i) => calls[i]!.ref.workerId === id);
      expect(mine.map((r) => (r.ok ? r.sequence : -1))).toEqual(range(1, 100));
      const page = await a.read(worker(id), { limit: 100 });
      expect(page.status === 'ok' && page.observations.map((o) => o.event.data?.text)).toEqual(
        calls.filter((c) => c.ref.workerId === id).map((c) => `t${c.n}`),
      );
    }
  });

  it('resumes on B exactly after a cursor A handed out, across the replay-to-live switch', async () => {
    const [a, b] = [await bus(), await bus()];
    const cursors = [];
    for (const n of range(1, 30)) {
      const published = await a.publish(worker(), text(n));
      if (published.ok) cursors.push(published.cursor);
    }
    const subscription = b.subscribe(worker(), { after: cursors[9], queueLimit: 1_000 });
    const racing = Promise.all(range(31, 60).map((n) => a.publish(worker(), text(n))));
    const frames = await takeFrames(subscription, 50);
    await racing;
    subscription.close();
    expect(sequences(frames)).toEqual(range(11, 60));
    expect(frames.slice(0, 20).every((f) => f.type === 'observation' && f.replayed)).toBe(true);
  });

  it('a long replay paged from Redis switches to live exactly while A keeps publishing', async () => {
    const [a, b] = [await bus(), await bus()];
    const cursors = await Promise.all(range(1, 3_000).map((n) => a.publish(worker(), text(n))));
    const after = cursors[99]!.ok ? cursors[99]!.cursor : null;
    const subscription = b.subscribe(worker(), { after, queueLimit: 10_000 });
    const frames = takeFrames(subscription, 3_900, 15_000);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(range(3_001 + batch * 100, 3_100 + batch * 100).map((n) => a.publish(worker(), text(n))));
    }
    const received = await frames;
    subscription.close();
    expect(sequences(received)).toEqual(range(101, 4_000));
    expect(received.slice(0, 2_900).every((f) => f.type === 'observation' && f.replayed)).toBe(true);
  });

  it('Redis trimming past a reader in the middle of its replay gives lagged, never a gap', async () => {
    const [a, b] = [await bus({ retentionPerWorker: 100 }), await bus({ retentionPerWorker: 100 })];
    await Promise.all(range(1, 100).map((n) => a.publish(worker(), text(n))));
    const subscription = b.subscribe(worker(), { queueLimit: 100_000 });
    expect(sequences(await takeFrames(subscription, 10))).toEqual(range(1, 10));
    for (let batch = 0; batch < 10; batch++) await Promise.all(range(1, 200).map((n) => a.publish(worker(), text(n))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const rest = await takeUntil(subscription, (f) => f.type === 'end');
    const delivered = [...range(1, 10), ...sequences(rest)];
    expect(delivered).toEqual(range(1, delivered.length));
    expect(rest.slice(-2)).toEqual([expect.objectContaining({ type: 'lagged' }), { type: 'end', reason: 'lagged' }]);
  });

  it('retention trimming gives expired naming the oldest cursor, on subscribe and on read', async () => {
    const [a, b] = [await bus({ retentionPerWorker: 100 }), await bus({ retentionPerWorker: 100 })];
    let first = '';
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(range(batch * 100 + 1, batch * 100 + 100).map((n) => a.publish(worker(), text(n))));
      if (batch === 0 && results[0]!.ok) first = results[0]!.cursor;
    }
    const redis = new Redis(url!);
    const length = await redis.xlen(`${keyPrefix}{rt:w}:log`);
    redis.disconnect();
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(1_000); // MAXLEN ~ trimmed whole nodes
    const epoch = decodeCursor(first)!.epoch;
    const subscription = b.subscribe(worker(), { after: first });
    const frames = await takeFrames(subscription, 3);
    subscription.close();
    expect(frames[0]).toEqual({ type: 'expired', requested: first, oldest: encodeCursor(epoch, 901) });
    expect(sequences(frames)).toEqual([901, 902]);
    expect(await b.read(worker(), { after: first, limit: 10 })).toEqual({ status: 'expired', oldest: encodeCursor(epoch, 901) });
  });

  it('starts a new subscription at once, without waiting for the readers\' block timeout', async () => {
    const [a, b] = [await bus(), await bus({ readerConnections: 1, blockMs: 10_000 })];
    const first = b.subscribe(worker('first'));
    await a.publish(worker('first'), text(1));
    expect(sequences(await takeFrames(first, 1))).toEqual([1]);
    const late = b.subscribe(worker('late'));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the one reader is blocked (10 s) by now
    const started = Date.now();
    await a.publish(worker('late'), text(1));
    expect(sequences(await takeFrames(late, 1, 3_000))).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(1_000);
    first.close();
    late.close();
  });

  it('drop ends subscriptions with worker_removed and deletes the stream; a later publish starts a new epoch', async () => {
    const [a, b] = [await bus(), await bus()];
    const before = await a.publish(worker(), text(1));
    const subscription = a.subscribe(worker());
    await takeFrames(subscription, 1);
    await a.drop(worker(), 'worker_removed');
    expect(await takeFrames(subscription, 1)).toEqual([{ type: 'end', reason: 'worker_removed' }]);
    const after = await a.publish(worker(), text(2));
    expect(after.ok && after.sequence).toBe(1);
    expect(before.ok && after.ok && decodeCursor(before.cursor)!.epoch !== decodeCursor(after.cursor)!.epoch).toBe(true);
    const resumed = b.subscribe(worker(), { after: before.ok ? before.cursor : null });
    expect((await takeFrames(resumed, 1))[0]).toMatchObject({ type: 'reset' });
    resumed.close();
  });

  it('an unreachable Redis is a clear typed error at connect; publish before connecting answers bus_error', async () => {
    const options = RedisBusOptionsSchema.parse({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 });
    const offline = new RedisObservationBus(options, new SystemClock(), new RandomIds());
    const failure = await offline.connect().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedisBusUnavailableError);
    expect((failure as RedisBusUnavailableError).message).toMatch(/unreachable at 127\.0\.0\.1:1/);
    expect(await offline.publish(worker(), text(1))).toMatchObject({ ok: false, reason: 'bus_error' });
    await offline.close();
    expect(await offline.publish(worker(), text(1))).toEqual({ ok: false, reason: 'bus_error', message: 'observation bus closed' });
  });

  it('the module parses options and binds one instance to both ports', async () => {
    expect(() => redisBusModule({ keyPrefix: 'bad{prefix}' })).toThrow(/key prefix/);
    const container = new Container();
    container.load(systemModule(), redisBusModule({ url: url!, keyPrefix }));
    const publisher = container.get(ObservationPublisherPort);
    expect(publisher).toBeInstanceOf(RedisObservationBus);
    expect(container.get(ObservationReaderPort)).toBe(publisher);
    const instance = container.get(RedisObservationBus);
    await instance.connect();
    expect(await instance.publish(worker(), text(1))).toMatchObject({ ok: true, sequence: 1 });
    await instance.close();
  });
});
