import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { MemoryInputQueue } from '../../src/adapters/memoryCatalog/memoryInputQueue.js';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { Settlement } from '../../src/domain/queuedInput.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { InputQueuePort } from '../../src/ports/inputQueuePort.js';
import { WorkerCatalogPort } from '../../src/ports/workerCatalogPort.js';
import type { OperationResult } from '../../src/domain/executionResult.js';
import { eventually, FakeExecutionBackend } from '../../src/testing/index.js';

/** README: "a store that cannot be reached answers 503 with reason store_unavailable"; it never hangs a request. */
class DownForSettles extends MemoryInputQueue {
  down = false;
  override settle(runtimeId: string, workerId: string, settlement: Settlement, retain: number): Promise<void> {
    if (this.down) return Promise.reject(new Error('store unreachable'));
    return super.settle(runtimeId, workerId, settlement, retain);
  }
}

describe('cancelQueued while the queue store is unreachable', () => {
  it('answers store_unavailable instead of waiting for the store to come back', async () => {
    const store = new DownForSettles({ durable: true });
    const fake = new FakeExecutionBackend({ backendId: 'fake' });
    const runtime = createRuntimeContainer({
      runtime: { deadlines: { storeWriteMs: 200 }, profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } } },
      backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(fake))],
      catalog: new ContainerModule(({ bind }) => {
        bind(WorkerCatalogPort).toConstantValue(new MemoryWorkerCatalog());
        bind(InputQueuePort).toConstantValue(store);
      }),
    }).get(WorkerRuntime);
    await runtime.create({ workerId: 'w', profile: 'q' });
    await runtime.submitInput('w', textInput('#hold'));
    const queued = await runtime.submitInput('w', textInput('to cancel'));
    store.down = true;
    let answer: OperationResult | null = null;
    void runtime.cancelQueued('w', queued.submissionId!).then((r) => (answer = r));
    expect(await eventually(() => answer !== null, 3_000)).toBe(true);
    expect(answer).toMatchObject({ reason: 'store_unavailable' });
    store.down = false;
    await runtime.shutdown();
  });
});
