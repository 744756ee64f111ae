import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { memoryBusModule } from '../../src/adapters/memoryBus/memoryBusModule.js';
import { ENTRY_OVERHEAD_BYTES } from '../../src/adapters/memoryBus/observationCost.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { ObservationPublisherPort } from '../../src/ports/observationPublisherPort.js';
import { ObservationReaderPort, type ReadOptions } from '../../src/ports/observationReaderPort.js';
import type { WorkerRef } from '../../src/domain/workerRef.js';
import { fakeBackendModule, FakeExecutionBackend } from '../../src/testing/index.js';

const delta = (text: string) => ({ event: 'text_delta', data: { text } });
const COST = JSON.stringify(delta('x'.repeat(100))).length + ENTRY_OVERHEAD_BYTES;

async function runtimeWith(options: { budgetBytes?: number; bus?: ContainerModule }) {
  const backend = new FakeExecutionBackend();
  const container = createRuntimeContainer({
    runtime: { profiles: { fake: { backend: 'fake' } } },
    memoryBus: options.budgetBytes ? { budgetBytes: options.budgetBytes } : {},
    ...(options.bus ? { bus: options.bus } : {}),
    backends: [fakeBackendModule(backend)],
  });
  const runtime = container.get(WorkerRuntime);
  for (const id of ['a', 'b']) expect((await runtime.create({ workerId: id, profile: 'fake' })).result.reason).toBe('created');
  return { runtime, backend };
}

describe('the memory budget through the Runtime', () => {
  it('summary() reports the budget; the hook sizes events as JSON; evicted history makes the transcript incomplete', async () => {
    const { runtime, backend } = await runtimeWith({ budgetBytes: COST * 20 });
    expect(runtime.summary().observationBudget).toEqual({ budgetBytes: COST * 20, retainedBytes: 0, retainedObservations: 0, evictedObservations: 0 });
    for (let i = 0; i < 5; i++) expect((await backend.publish('a', delta(`${i}`.padEnd(100, 'x')))).ok).toBe(true);
    expect(runtime.summary().observationBudget).toMatchObject({ retainedBytes: COST * 5, retainedObservations: 5 });
    expect(await runtime.transcript('a')).toMatchObject({ ok: true, complete: true });

    for (let i = 0; i < 17; i++) await backend.publish('b', delta(`${i}`.padEnd(100, 'x')));
    expect(runtime.summary().observationBudget).toEqual({ budgetBytes: COST * 20, retainedBytes: COST * 20, retainedObservations: 20, evictedObservations: 2 });
    expect(await runtime.transcript('a')).toMatchObject({ ok: true, complete: false });

    for (let i = 0; i < 3; i++) await backend.publish('b', delta(`${i}`.padEnd(100, 'x'))); // a keeps nothing now
    const transcript = await runtime.transcript('a');
    expect(transcript).toEqual({ ok: true, entries: [], complete: false });
    await runtime.shutdown();
  });

  it('a transcript whose later page expired meanwhile is incomplete', async () => {
    const bus = new MemoryObservationBus({ retentionPerWorker: 10_000, subscriberQueue: 1024 }, new SystemClock(), new RandomIds());
    let reads = 0;
    const reader: ObservationReaderPort = {
      subscribe: (worker, options) => bus.subscribe(worker, options),
      read: (worker: WorkerRef, options: ReadOptions) => (++reads === 2 ? Promise.resolve({ status: 'expired', oldest: 'x' }) : bus.read(worker, options)),
      drop: (worker, reason) => bus.drop(worker, reason),
      close: () => bus.close(),
    };
    const module = new ContainerModule(({ bind }) => {
      bind(ObservationPublisherPort).toConstantValue(bus);
      bind(ObservationReaderPort).toConstantValue(reader);
    });
    const { runtime, backend } = await runtimeWith({ bus: module });
    for (let i = 0; i < 1000; i++) await backend.publish('a', delta(`${i} `));
    expect(await runtime.transcript('a')).toMatchObject({ ok: true, complete: false });
    expect(reads).toBe(2);
    expect(runtime.summary().observationBudget).toBeNull(); // this reader reports no budget
    await runtime.shutdown();
  });

  it('the module parses the budget option', () => {
    expect(() => memoryBusModule({ budgetBytes: 10 })).toThrow();
  });
});
