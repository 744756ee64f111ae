import { ContainerModule } from 'inversify';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import type { RuntimeOptionsInput } from '../../src/application/runtimeOptions.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { FakeExecutionBackend, type FakeExecutionBackendOptions } from '../../src/testing/index.js';

/** A Runtime wired by the real composition root with FAKE backends: `fake` (profile `fake`) and `other` (profile `other`). */
export function fixture(
  options: { fake?: FakeExecutionBackendOptions; other?: FakeExecutionBackendOptions; runtime?: RuntimeOptionsInput; retention?: number; queue?: number; extra?: ExecutionBackendPort[] } = {},
) {
  const fake = new FakeExecutionBackend({ backendId: 'fake', ...options.fake });
  const other = new FakeExecutionBackend({ backendId: 'other', ...options.other });
  const container = createRuntimeContainer({
    runtime: {
      ...options.runtime,
      profiles: {
        fake: { backend: 'fake' },
        other: { backend: 'other' },
        none: { backend: null },
        ...Object.fromEntries((options.extra ?? []).map((b) => [b.backendId, { backend: b.backendId }])),
        ...options.runtime?.profiles,
      },
      deadlines: { spawnMs: 200, dispatchMs: 200, stopMs: 200, cancelMs: 200, methodMs: 200, snapshotMs: 200, ...options.runtime?.deadlines },
    },
    memoryBus: { retentionPerWorker: options.retention ?? 10_000, subscriberQueue: options.queue ?? 1024 },
    backends: [
      new ContainerModule(({ bind }) => {
        for (const backend of [fake, other, ...(options.extra ?? [])]) bind(ExecutionBackendPort).toConstantValue(backend);
      }),
    ],
  });
  const runtime = container.get(WorkerRuntime);
  const bus = container.get(MemoryObservationBus);
  /** Every observation retained for a Worker (read straight from the bus). */
  const stored = async (workerId: string) => {
    const page = await bus.read({ runtimeId: runtime.runtimeId, workerId }, { limit: 1_000_000 });
    return page.status === 'ok' ? page.observations : [];
  };
  return { container, runtime, fake, other, bus, stored };
}
