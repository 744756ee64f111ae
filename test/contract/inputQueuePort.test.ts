import { ContainerModule } from 'inversify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryInputQueue } from '../../src/adapters/memoryCatalog/memoryInputQueue.js';
import { redisCatalogModule } from '../../src/adapters/redisCatalog/redisCatalogModule.js';
import { RedisInputQueue } from '../../src/adapters/redisCatalog/redisInputQueue.js';
import { RedisWorkerCatalog } from '../../src/adapters/redisCatalog/redisWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { QueuedInput, Settlement } from '../../src/domain/queuedInput.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import type { InputQueuePort } from '../../src/ports/inputQueuePort.js';
import { eventually, FakeExecutionBackend } from '../../src/testing/index.js';
import { redisOrSkip } from '../support/redis.js';

const redisUrl = await redisOrSkip();

const entry = (submissionId: string, order: number, state: QueuedInput['state'] = 'queued'): QueuedInput => ({
  submissionId,
  input: textInput(`input ${submissionId}`),
  state,
  interrupt: false,
  order,
  queuedAt: 1000 + order,
  idempotencyKey: order % 2 ? `key-${order}` : null,
  fingerprint: 'abcd',
});
const settlement = (submissionId: string, settledAt: number): Settlement => ({
  submissionId,
  outcome: 'committed',
  reason: 'committed',
  queuedAt: 1,
  settledAt,
  idempotencyKey: null,
  fingerprint: 'abcd',
});

/** The same behaviour of every InputQueuePort adapter. */
function describeInputQueue(name: string, make: () => InputQueuePort) {
  describe(`InputQueuePort: ${name}`, () => {
    it('appends, updates, settles (atomically out of the entries), keeps `retain` settlements, drops', async () => {
      const queue = make();
      await queue.append('rt', 'w', entry('a', 0));
      await queue.append('rt', 'w', entry('b', 1));
      await queue.append('rt', 'v', entry('c', 0));
      await queue.update('rt', 'w', entry('a', 0, 'dispatching'));
      let { queues, corrupt } = await queue.load('rt');
      expect(corrupt).toEqual([]);
      const w = queues.find((q) => q.workerId === 'w')!;
      expect([...w.entries].sort((x, y) => x.order - y.order)).toEqual([entry('a', 0, 'dispatching'), entry('b', 1)]);
      await queue.settle('rt', 'w', settlement('a', 5), 2);
      await queue.settle('rt', 'w', settlement('x', 6), 2);
      await queue.settle('rt', 'w', settlement('y', 7), 2);
      ({ queues } = await queue.load('rt'));
      const after = queues.find((q) => q.workerId === 'w')!;
      expect(after.entries).toEqual([entry('b', 1)]);
      expect(after.settled.map((s) => s.submissionId).sort()).toEqual(['x', 'y']);
      await queue.drop('rt', 'w');
      ({ queues } = await queue.load('rt'));
      expect(queues.map((q) => q.workerId)).toEqual(['v']);
      expect((await queue.load('other')).queues).toEqual([]);
    });
  });
}

describeInputQueue('MemoryInputQueue', () => new MemoryInputQueue());

describe.skipIf(!redisUrl)('the input queue in Redis', () => {
  let redis: Redis;
  const prefix = `wr-test-queue-${process.pid}-${Date.now()}:`;
  beforeAll(() => {
    redis = new Redis(redisUrl!);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  describeInputQueue('RedisInputQueue', () => new RedisInputQueue(redis, `${prefix}${Math.random().toString(36).slice(2)}:`));

  it('an entry that cannot be read is named corrupt (never trusted, never dropped silently)', async () => {
    const p = `${prefix}corrupt:`;
    const queue = new RedisInputQueue(redis, p);
    await queue.append('rt', 'w', entry('good', 0));
    await redis.hset(`${p}queue:{rt}:w:entries`, 'bad-1', 'not json', 'bad-2', JSON.stringify({ ...entry('other', 1) }));
    const { queues, corrupt } = await queue.load('rt');
    expect(queues[0]!.entries).toEqual([entry('good', 0)]);
    expect(corrupt.sort((a, b) => a.submissionId.localeCompare(b.submissionId))).toEqual([
      { workerId: 'w', submissionId: 'bad-1' },
      { workerId: 'w', submissionId: 'bad-2' },
    ]);
  });

  it('a Runtime on the Redis catalog keeps its queue in Redis: the next Runtime dispatches it once, settles unreadable entries unknown', async () => {
    const keyPrefix = `${prefix}rt:`;
    const boot = () => {
      const backend = new FakeExecutionBackend({ backendId: 'fake' });
      const container = createRuntimeContainer({
        runtime: { runtimeId: 'rq', profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } } },
        catalog: redisCatalogModule({ url: redisUrl!, keyPrefix }),
        backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
      });
      return { runtime: container.get(WorkerRuntime), catalog: container.get(RedisWorkerCatalog), backend };
    };
    const before = boot();
    await before.catalog.connect();
    await before.runtime.create({ workerId: 'w', profile: 'q' });
    await before.runtime.submitInput('w', textInput('#hold'));
    const queued = [await before.runtime.submitInput('w', textInput('one')), await before.runtime.submitInput('w', textInput('two'))];
    expect(before.runtime.queue('w')).toMatchObject({ ok: true, queue: { durable: true } });
    await before.runtime.shutdown(); // a durable queue stays as it is
    await before.catalog.close();
    await redis.hset(`${keyPrefix}queue:{rq}:w:entries`, 'planted', '{"broken":true');

    const after = boot();
    await after.catalog.connect();
    await after.runtime.restoreWorkers();
    expect(await eventually(() => after.backend.dispatches.length === 2 && after.runtime.get('w')?.queue.length === 0)).toBe(true);
    expect(after.backend.dispatches.map((d) => d.submissionId)).toEqual(queued.map((q) => q.submissionId));
    expect(after.runtime.submission('w', 'planted')).toMatchObject({ ok: true, submission: { settlement: { outcome: 'unknown', diagnostic: { code: 'queue_entry_corrupt' } } } });
    await eventually(() => after.runtime.get('w')?.state === 'idle');
    await after.runtime.shutdown();
    expect(await redis.hlen(`${keyPrefix}queue:{rq}:w:entries`)).toBe(0);
    expect(await redis.hlen(`${keyPrefix}queue:{rq}:w:settled`)).toBe(3);
    await after.catalog.close();
  });
});
