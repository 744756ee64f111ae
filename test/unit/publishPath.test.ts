import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContainerModule } from 'inversify';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { cursorPrefix, decodeCursor, encodeCursor } from '../../src/domain/cursor.js';
import type { ObservationFrame } from '../../src/domain/observation.js';
import { LogStream } from '../../src/domain/stream/logStream.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import type { ClockPort } from '../../src/ports/clockPort.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';
import { ObservationPublisherPort } from '../../src/ports/observationPublisherPort.js';
import { ObservationReaderPort } from '../../src/ports/observationReaderPort.js';

const worker = { runtimeId: 'rt', workerId: 'w' };
const event = (text: string) => ({ event: 'text_delta', data: { text } });

afterEach(() => vi.restoreAllMocks());

describe('SystemClock.coarseNow', () => {
  it('reads the clock once per tick and at least every 256 calls', async () => {
    let t = 1000;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => ++t);
    const clock = new SystemClock();
    const first = clock.coarseNow();
    expect(first).toBe(1001);
    for (let i = 1; i < 256; i++) expect(clock.coarseNow()).toBe(first); // same tick: one reading
    expect(clock.coarseNow()).toBe(1002); // the 257th call reads again
    await Promise.resolve();
    await Promise.resolve();
    expect(clock.coarseNow()).toBe(1003); // a new tick reads again
    expect(now).toHaveBeenCalledTimes(3);
  });

  it('never runs ahead of the clock nor behind the start of the tick', () => {
    const clock = new SystemClock();
    const before = Date.now();
    const coarse = clock.coarseNow();
    expect(coarse).toBeGreaterThanOrEqual(before);
    expect(coarse).toBeLessThanOrEqual(Date.now());
  });
});

describe('memory bus stamps and cursors', () => {
  it('stamps with now() when the clock has no coarse reading (a test clock stays exact)', async () => {
    let t = 0;
    const clock: ClockPort = { now: () => (t += 10), setTimer: () => () => undefined };
    const bus = new MemoryObservationBus({ retentionPerWorker: 10, subscriberQueue: 10 }, clock, new RandomIds());
    bus.publishNow(worker, event('a'));
    bus.publishNow(worker, event('b'));
    const read = await bus.read(worker, { after: null, limit: 10 });
    expect(read.status === 'ok' && read.observations.map((o) => o.publishedAt)).toEqual([10, 20]);
  });

  it('publishNow and publish give the same results; a cursor is the epoch prefix plus the sequence, exactly as encodeCursor', async () => {
    const bus = new MemoryObservationBus({ retentionPerWorker: 100, subscriberQueue: 100 }, new SystemClock(), new RandomIds());
    const now = bus.publishNow(worker, event('a'));
    const later = await bus.publish(worker, event('b'));
    expect(now.ok && later.ok).toBe(true);
    if (!now.ok || !later.ok) return;
    const epoch = decodeCursor(now.cursor)!.epoch;
    expect([now.sequence, later.sequence]).toEqual([1, 2]);
    expect(now.cursor).toBe(encodeCursor(epoch, 1));
    expect(later.cursor).toBe(encodeCursor(epoch, 2));
    const read = await bus.read(worker, { after: null, limit: 10 });
    expect(read.status === 'ok' && read.observations.map((o) => o.cursor)).toEqual([now.cursor, later.cursor]);
    await bus.close();
    expect(bus.publishNow(worker, event('c'))).toMatchObject({ ok: false, reason: 'bus_error' });
  });

  it('cursorPrefix(epoch) + sequence is encodeCursor(epoch, sequence), and decodes back', () => {
    const epoch = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    fc.assert(
      fc.property(epoch, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (e, sequence) => {
        const cursor = cursorPrefix(e) + sequence;
        expect(cursor).toBe(encodeCursor(e, sequence));
        expect(decodeCursor(cursor)).toEqual({ epoch: e, sequence });
      }),
    );
  });
});

describe('batched drains', () => {
  const codec = { cursor: (n: number) => `c${n}`, replayed: (n: number) => -n };

  it('mark replayed entries, continue live, and report the last entry a batch delivered when lagged', async () => {
    const stream = new LogStream<number>(100, codec);
    for (const n of [1, 2]) stream.append(n);
    const subscription = stream.subscribe({ from: 1, queueLimit: 3 });
    stream.append(3);
    expect(await subscription.nextBatch(10)).toEqual([-1, -2, 3]); // two from retention, one live
    for (const n of [4, 5, 6, 7]) stream.append(n); // 4 unread live > 3: lagged, keeps 4..6
    expect(await subscription.nextBatch(10)).toEqual([4, 5, 6, { type: 'lagged', resumeAfter: 'c6' }, { type: 'end', reason: 'lagged' }]);
  });

  it('lagged by eviction right after a batch owes what is left and names the last owed entry', async () => {
    const stream = new LogStream<number>(3, codec); // retention 3: eviction lags a subscriber still behind
    const subscription = stream.subscribe({ from: 1, queueLimit: 100 });
    stream.append(1);
    stream.append(2);
    expect(await subscription.nextBatch(1)).toEqual([1]);
    for (const n of [3, 4, 5]) stream.append(n); // appending 5 would evict 2 unread: lagged, owes 2..4
    expect(await subscription.nextBatch(10)).toEqual([2, 3, 4, { type: 'lagged', resumeAfter: 'c4' }, { type: 'end', reason: 'lagged' }]);
  });

  it('lagged with nothing delivered since the batch names that batch\'s last entry', async () => {
    const stream = new LogStream<number>(2, codec);
    const subscription = stream.subscribe({ from: 1, queueLimit: 1 });
    stream.append(1);
    expect(await subscription.nextBatch(10)).toEqual([1]);
    stream.append(2);
    stream.append(3); // 2 unread live > 1: lagged, keeps 2
    expect(await subscription.nextBatch(10)).toEqual([2, { type: 'lagged', resumeAfter: 'c2' }, { type: 'end', reason: 'lagged' }]);
  });
});

describe('the Runtime publishes through publishNow when the bus has it', () => {
  async function runtimeWith(publisher: ObservationPublisherPort): Promise<ExecutionContext> {
    let context!: ExecutionContext;
    const backend = {
      backendId: 'b',
      spawn: (_r: unknown, c: ExecutionContext) => {
        context = c;
        return Promise.resolve({ status: 'ready' as const, handle: 1, state: 'idle' as const });
      },
      dispatchInput: () => Promise.resolve({ status: 'busy' as const }),
    };
    const container = createRuntimeContainer({
      runtime: { profiles: { p: { backend: 'b' } } },
      backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
      bus: new ContainerModule(({ bind }) => {
        bind(ObservationPublisherPort).toConstantValue(publisher);
        bind(ObservationReaderPort).toConstantValue(new MemoryObservationBus({ retentionPerWorker: 10, subscriberQueue: 10 }, new SystemClock(), new RandomIds()));
      }),
    });
    const runtime = container.get(WorkerRuntime);
    await runtime.create({ workerId: 'w', profile: 'p' });
    return context;
  }

  it('uses publishNow, and a publishNow that throws is a bus_error result, never a throw', async () => {
    const bus = new MemoryObservationBus({ retentionPerWorker: 10, subscriberQueue: 10 }, new SystemClock(), new RandomIds());
    const publish = vi.spyOn(bus, 'publish');
    const context = await runtimeWith(bus);
    expect(await context.publish(event('hi'))).toMatchObject({ ok: true, sequence: 1 });
    expect(publish).not.toHaveBeenCalled();
    vi.spyOn(bus, 'publishNow').mockImplementation(() => {
      throw new Error('store broke');
    });
    expect(await context.publish(event('again'))).toEqual({ ok: false, reason: 'bus_error', message: 'store broke' });
  });

  it('falls back to publish when the bus has no publishNow', async () => {
    const frames: ObservationFrame[] = [];
    const publisher: ObservationPublisherPort = {
      publish: (_w, e) => {
        frames.push({ type: 'observation', observation: { worker, sequence: 1, cursor: 'c1.e.1', publishedAt: 0, event: e, history: false }, replayed: false });
        return Promise.resolve({ ok: true, sequence: 1, cursor: 'c1.e.1' });
      },
    };
    const context = await runtimeWith(publisher);
    expect(await context.publish(event('hi'))).toEqual({ ok: true, sequence: 1, cursor: 'c1.e.1' });
    expect(frames).toHaveLength(1);
  });
});
