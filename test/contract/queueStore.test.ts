import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { MemoryInputQueue } from '../../src/adapters/memoryCatalog/memoryInputQueue.js';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { QueuedInput, Settlement } from '../../src/domain/queuedInput.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { InputQueuePort } from '../../src/ports/inputQueuePort.js';
import { WorkerCatalogPort } from '../../src/ports/workerCatalogPort.js';
import { eventually, FakeExecutionBackend, Gate } from '../../src/testing/index.js';

/**
 * The queue store as a port that fails and stalls: an input is answered `queued` only once the store
 * has it; a mark that fails is retried and nothing is dispatched meanwhile; a Worker that goes away
 * while its next input is being marked still settles it. A TEST double store wraps the memory one.
 */
class FlakyQueue implements InputQueuePort {
  readonly inner = new MemoryInputQueue();
  readonly durable = true;
  failAppends = 0;
  failUpdates = 0;
  updateGate: Gate | null = null;
  readonly log: string[] = [];

  load(runtimeId: string) {
    return this.inner.load(runtimeId);
  }
  async append(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    this.log.push(`append ${entry.submissionId}`);
    if (this.failAppends-- > 0) throw new Error('store down');
    return this.inner.append(runtimeId, workerId, entry);
  }
  async update(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    this.log.push(`update ${entry.submissionId} ${entry.state}`);
    await this.updateGate?.wait();
    if (this.failUpdates-- > 0) throw new Error('store down');
    return this.inner.update(runtimeId, workerId, entry);
  }
  settle(runtimeId: string, workerId: string, settlement: Settlement, retain: number): Promise<void> {
    this.log.push(`settle ${settlement.submissionId} ${settlement.outcome}`);
    return this.inner.settle(runtimeId, workerId, settlement, retain);
  }
  drop(runtimeId: string, workerId: string): Promise<void> {
    return this.inner.drop(runtimeId, workerId);
  }
}

function boot() {
  const store = new FlakyQueue();
  const fake = new FakeExecutionBackend({ backendId: 'fake' });
  const runtime = createRuntimeContainer({
    runtime: { profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } } },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(fake))],
    catalog: new ContainerModule(({ bind }) => {
      bind(WorkerCatalogPort).toConstantValue(new MemoryWorkerCatalog());
      bind(InputQueuePort).toConstantValue(store);
    }),
  }).get(WorkerRuntime);
  return { runtime, fake, store };
}

describe('the queue store is written before every answer and every dispatch', () => {
  it('an append that fails: errored store_unavailable, nothing queued, nothing dispatched', async () => {
    const { runtime, fake, store } = boot();
    await runtime.create({ workerId: 'w', profile: 'q' });
    await runtime.submitInput('w', textInput('#hold'));
    store.failAppends = 1;
    expect(await runtime.submitInput('w', textInput('lost?'))).toMatchObject({ outcome: 'errored', reason: 'store_unavailable' });
    expect(runtime.get('w')?.queue.length).toBe(0);
    await fake.finishRun('w');
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect(fake.dispatches).toHaveLength(1);
    // The failed append is written off in the store too: were it to land late, it would never be dispatched.
    expect(await eventually(() => store.log.some((l) => /^settle .* rejected$/.test(l)))).toBe(true);
    await runtime.shutdown();
  });

  it('a mark that fails is retried; the input is dispatched once, after the mark landed', async () => {
    const { runtime, fake, store } = boot();
    await runtime.create({ workerId: 'w', profile: 'q' });
    await runtime.submitInput('w', textInput('#hold'));
    const queued = await runtime.submitInput('w', textInput('eventually'));
    store.failUpdates = 2;
    await fake.finishRun('w');
    expect(await eventually(() => fake.dispatches.length === 2, 5_000)).toBe(true);
    const id = queued.submissionId!;
    expect(store.log.filter((l) => l === `update ${id} dispatching`)).toHaveLength(3);
    expect(store.log.indexOf(`settle ${id} committed`)).toBeGreaterThan(store.log.lastIndexOf(`update ${id} dispatching`));
    await runtime.shutdown();
  });

  it('a Worker stopped while its next input is being marked settles it (cancelled, worker_stopped), never dispatches it', async () => {
    const { runtime, fake, store } = boot();
    await runtime.create({ workerId: 'w', profile: 'q' });
    await runtime.submitInput('w', textInput('#hold'));
    const queued = await runtime.submitInput('w', textInput('never'));
    store.updateGate = new Gate();
    await fake.finishRun('w');
    expect(await eventually(() => store.log.includes(`update ${queued.submissionId} dispatching`))).toBe(true);
    expect(await runtime.stop('w')).toMatchObject({ reason: 'stopped' });
    store.updateGate.open();
    expect(await eventually(() => runtime.submission('w', queued.submissionId!).ok && (runtime.submission('w', queued.submissionId!) as { submission: { status: string } }).submission.status === 'settled')).toBe(true);
    expect(runtime.submission('w', queued.submissionId!)).toMatchObject({ submission: { settlement: { outcome: 'cancelled', reason: 'worker_stopped' } } });
    expect(fake.dispatches).toHaveLength(1);
    await runtime.shutdown();
  });
});
