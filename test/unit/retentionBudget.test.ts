import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBusOptionsSchema, defaultBudgetBytes } from '../../src/adapters/memoryBus/memoryBusOptions.js';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { ENTRY_OVERHEAD_BYTES } from '../../src/adapters/memoryBus/observationCost.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { jsonValueBytes } from '../../src/domain/jsonValueBytes.js';
import type { ObservationFrame, ObservationSubscription } from '../../src/domain/observation.js';
import { LogStream } from '../../src/domain/stream/logStream.js';
import { RetentionBudget } from '../../src/domain/stream/retentionBudget.js';
import { RingLog } from '../../src/domain/stream/ringLog.js';
import type { WorkerRef } from '../../src/domain/workerRef.js';

const codec = { cursor: (n: number) => `c${n}`, replayed: (n: number) => n };
const queueLength = (budget: RetentionBudget): number => (budget as unknown as { length: number }).length;
const text = (n: number, size = 100) => ({ event: 'text_delta', data: { text: `${n}`.padEnd(size, '.') } });
const busWith = (budgetBytes: number, retentionPerWorker = 10_000, subscriberQueue = 1024) =>
  new MemoryObservationBus({ retentionPerWorker, subscriberQueue, budgetBytes }, new SystemClock(), new RandomIds());
const ref = (workerId: string): WorkerRef => ({ runtimeId: 'r', workerId });
const COST = JSON.stringify(text(0)).length + ENTRY_OVERHEAD_BYTES;

async function frames(subscription: ObservationSubscription, count: number): Promise<ObservationFrame[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const out: ObservationFrame[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe('RetentionBudget', () => {
  it('evicts the oldest entries across logs, in publish order, down to the limit', () => {
    const budget = new RetentionBudget(30);
    const a = new LogStream<number>(100, codec);
    const b = new LogStream<number>(100, codec);
    const [ca, cb] = [budget.open(a), budget.open(b)];
    const put = (stream: LogStream<number>, account: typeof ca, n: number) => budget.charge(account, stream.append(n), 10);
    put(a, ca, 1);
    put(b, cb, 2);
    put(a, ca, 3);
    expect(budget.report()).toEqual({ budgetBytes: 30, retainedBytes: 30, retainedObservations: 3, evictedObservations: 0 });
    put(b, cb, 4); // evicts a's first
    expect([a.log.oldest, a.log.head, b.log.oldest, b.log.head]).toEqual([2, 2, 1, 2]);
    put(b, cb, 5); // evicts b's first
    expect([a.log.oldest, b.log.oldest]).toEqual([2, 2]);
    expect(budget.report()).toMatchObject({ retainedBytes: 30, evictedObservations: 2 });
  });

  it('does not count entries a log evicted by its own retention, nor a released log', () => {
    const budget = new RetentionBudget(1000);
    const a = new LogStream<number>(2, codec);
    const account = budget.open(a);
    for (let i = 0; i < 5; i++) budget.charge(account, a.append(i), 100);
    expect(budget.report()).toMatchObject({ retainedBytes: 200, retainedObservations: 2, evictedObservations: 0 });
    budget.release(account);
    expect(budget.report()).toMatchObject({ retainedBytes: 0, retainedObservations: 0 });
  });

  it('keeps its queue bounded when entries leave by retention (no budget pressure), even behind a long-lived log', () => {
    const budget = new RetentionBudget(Number.MAX_SAFE_INTEGER);
    const idle = new LogStream<number>(10, codec);
    budget.charge(budget.open(idle), idle.append(0), 1); // stays at the front of the queue for good
    const chatty = new LogStream<number>(10, codec);
    const account = budget.open(chatty);
    let longest = 0;
    for (let i = 0; i < 100_000; i++) {
      budget.charge(account, chatty.append(i), 1);
      longest = Math.max(longest, queueLength(budget));
    }
    expect(budget.report().retainedObservations).toBe(11);
    expect(longest).toBeLessThanOrEqual(64);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RetentionBudget(0)).toThrow(RangeError);
    expect(() => new RetentionBudget(1.5)).toThrow(RangeError);
  });
});

describe('RingLog.dropOldest', () => {
  it('drops from the front, keeps lookups exact and shrinks storage that is mostly empty', () => {
    const log = new RingLog<number>(1000);
    for (let i = 1; i <= 600; i++) log.append(i);
    for (let i = 0; i < 590; i++) log.dropOldest();
    expect([log.oldest, log.head, log.size]).toEqual([591, 600, 10]);
    for (let s = 591; s <= 600; s++) expect(log.at(s)).toBe(s);
    expect((log as unknown as { slots: unknown[] }).slots.length).toBeLessThanOrEqual(64);
    for (let i = 601; i <= 2000; i++) log.append(i);
    expect([log.oldest, log.head, log.size]).toEqual([1001, 2000, 1000]);
    for (let s = 1001; s <= 2000; s += 97) expect(log.at(s)).toBe(s);
    while (log.size > 0) log.dropOldest();
    expect([log.oldest, log.head]).toEqual([2001, 2000]);
    log.dropOldest();
    expect(log.head).toBe(2000);
  });
});

describe('jsonValueBytes', () => {
  it('is the UTF-8 length of JSON.stringify for plain JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonValueBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value), 'utf8'));
      }),
    );
  });
});

describe('MemoryObservationBus memory budget', () => {
  it('defaults to 256 MiB or a quarter of the heap limit, and refuses less than 1 KiB', () => {
    expect(MemoryBusOptionsSchema.parse({}).budgetBytes).toBe(defaultBudgetBytes());
    expect(defaultBudgetBytes()).toBeLessThanOrEqual(256 * 1024 * 1024);
    expect(MemoryBusOptionsSchema.safeParse({ budgetBytes: 1000 }).success).toBe(false);
    expect(MemoryBusOptionsSchema.safeParse({ budgetBytes: 4096.5 }).success).toBe(false);
  });

  it('gives a subscriber behind an evicted observation what it had queued, then lagged; one at the head is untouched', async () => {
    const bus = busWith(COST * 10, 10_000, 3);
    for (let i = 1; i <= 5; i++) await bus.publish(ref('a'), text(i));
    const behind = bus.subscribe(ref('a')); // replays from 1, reads nothing yet
    const atHead = bus.subscribe(ref('a'));
    await frames(atHead, 5); // caught up
    for (let i = 1; i <= 6; i++) await bus.publish(ref('b'), text(i)); // evicts a's 1
    const got = await frames(behind, 10);
    expect(got.map((f) => f.type)).toEqual(['observation', 'observation', 'observation', 'lagged', 'end']);
    const third = got[2]!.type === 'observation' ? got[2]!.observation : null;
    expect(third?.sequence).toBe(3);
    expect(got[3]).toEqual({ type: 'lagged', resumeAfter: third?.cursor });
    await bus.publish(ref('a'), text(6));
    const live = await frames(atHead, 1);
    expect(live[0]).toMatchObject({ type: 'observation', observation: { sequence: 6 } });
  });

  it('evicts a whole Worker history: its cursors get expired, the next observation resumes exactly', async () => {
    const bus = busWith(COST * 4);
    const first = await bus.publish(ref('a'), text(1));
    const second = await bus.publish(ref('a'), text(2));
    for (let i = 0; i < 4; i++) await bus.publish(ref('b'), text(i));
    if (!first.ok || !second.ok) throw new Error('publish');
    expect(await bus.read(ref('a'), { limit: 10 })).toEqual({ status: 'ok', observations: [], next: null, truncated: true });
    expect(await bus.read(ref('a'), { after: first.cursor, limit: 10 })).toMatchObject({ status: 'expired' });
    expect(await bus.read(ref('a'), { after: second.cursor, limit: 10 })).toEqual({ status: 'ok', observations: [], next: second.cursor });
    const resumed = bus.subscribe(ref('a'), { after: second.cursor });
    await bus.publish(ref('a'), text(3));
    expect((await frames(resumed, 1))[0]).toMatchObject({ type: 'observation', observation: { sequence: 3 } });
    expect(bus.retention()).toMatchObject({ retainedObservations: 4, evictedObservations: 3 });
  });

  it('frees a removed Worker\'s bytes', async () => {
    const bus = busWith(COST * 100);
    for (let i = 0; i < 10; i++) await bus.publish(ref('a'), text(i));
    expect(bus.retention()).toMatchObject({ retainedBytes: COST * 10, retainedObservations: 10 });
    await bus.drop(ref('a'), 'worker_removed');
    expect(bus.retention()).toMatchObject({ retainedBytes: 0, retainedObservations: 0, evictedObservations: 0 });
    await bus.publish(ref('a'), text(0));
    expect(bus.retention()).toMatchObject({ retainedBytes: COST, retainedObservations: 1 });
  });
});
