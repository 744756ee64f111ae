import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { memoryCatalogModule } from '../../src/adapters/memoryCatalog/memoryCatalogModule.js';
import { MemoryInputQueue } from '../../src/adapters/memoryCatalog/memoryInputQueue.js';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort, type InputRecordResult } from '../../src/ports/executionBackendPort.js';
import { eventually, FakeExecutionBackend, Gate } from '../../src/testing/index.js';

/**
 * A queued input found `dispatching` after a restart waits for the backend's own record
 * (`inputRecord`). The Worker may be stopped meanwhile: the entry is settled then, and whatever the
 * record says afterwards must not bring it back.
 */
interface Stores {
  catalog: MemoryWorkerCatalog;
  queue: MemoryInputQueue;
}

function boot({ catalog, queue }: Stores) {
  const backend = new FakeExecutionBackend({ backendId: 'fake' });
  const runtime = createRuntimeContainer({
    runtime: { runtimeId: 'rt', profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } }, deadlines: { dispatchMs: 60_000, restoreMs: 500 } },
    catalog: memoryCatalogModule(catalog, queue),
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  }).get(WorkerRuntime);
  return { runtime, backend };
}

const settlementOf = (runtime: WorkerRuntime, id: string) => {
  const found = runtime.submission('w', id);
  return found.ok ? (found.submission.settlement ?? null) : null;
};

describe('a queued input being resolved by the backend`s record after a restart', () => {
  it('a Worker stopped meanwhile: once the record answers not_committed it settles cancelled worker_stopped, once, never dispatched', async () => {
    const s: Stores = { catalog: new MemoryWorkerCatalog(), queue: new MemoryInputQueue({ durable: true }) };
    const before = boot(s);
    await before.runtime.create({ workerId: 'w', profile: 'q' });
    await before.runtime.submitInput('w', textInput('#hold'));
    const handedOver = await before.runtime.submitInput('w', textInput('handed over at the crash'));
    before.backend.once('dispatch', 'hang');
    await before.backend.finishRun('w');
    expect(await eventually(() => before.runtime.submission('w', handedOver.submissionId!).ok && (before.runtime.submission('w', handedOver.submissionId!) as { submission: { status: string } }).submission.status === 'dispatching')).toBe(true);
    // The process dies here. The next one asks the backend's record, which answers late.
    const after = boot(s);
    const gate = new Gate();
    after.backend.inputRecord = async (): Promise<InputRecordResult> => {
      await gate.wait();
      return { status: 'not_committed' };
    };
    await after.runtime.restoreWorkers();
    expect(after.runtime.get('w')?.state).toBe('idle');
    expect(await after.runtime.stop('w')).toMatchObject({ reason: 'stopped' });
    // The drain is waiting for the record: the stopped Worker's queue settles once it answered.
    gate.open();
    expect(await eventually(() => settlementOf(after.runtime, handedOver.submissionId!) !== null)).toBe(true);
    expect(settlementOf(after.runtime, handedOver.submissionId!)).toMatchObject({ outcome: 'cancelled', reason: 'worker_stopped' });
    expect(await eventually(() => after.runtime.get('w')?.queue.length === 0)).toBe(true);
    await after.runtime.shutdown();
    const stored = (await s.queue.load('rt')).queues.find((q) => q.workerId === 'w');
    expect(stored?.entries ?? []).toEqual([]);
    expect(stored?.settled.filter((x) => x.submissionId === handedOver.submissionId)).toHaveLength(1);
    expect(after.backend.dispatches).toEqual([]);
  });
});
