import { describe, expect, it } from 'vitest';
import { memoryCatalogModule } from '../../src/adapters/memoryCatalog/memoryCatalogModule.js';
import { MemoryInputQueue } from '../../src/adapters/memoryCatalog/memoryInputQueue.js';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { eventually, FakeExecutionBackend, type FakeExecutionBackendOptions } from '../../src/testing/index.js';
import { ContainerModule } from 'inversify';

/**
 * A durable queue across a crash: one "process" queues inputs and dies (no shutdown); the next one,
 * on the same catalog and queue store, restores the Worker and dispatches every queued input exactly
 * once. An input that was being handed over at the crash is resolved by the backend's own record, or
 * ends `unknown`: it is never sent again.
 */
interface Stores {
  catalog: MemoryWorkerCatalog;
  queue: MemoryInputQueue;
}
const stores = (): Stores => ({ catalog: new MemoryWorkerCatalog(), queue: new MemoryInputQueue({ durable: true }) });

function boot({ catalog, queue }: Stores, fake: FakeExecutionBackendOptions = {}) {
  const backend = new FakeExecutionBackend({ backendId: 'fake', ...fake });
  const runtime = createRuntimeContainer({
    runtime: {
      runtimeId: 'rt',
      profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } },
      // The first "process" never sees its deadlines: it dies first.
      deadlines: { dispatchMs: 60_000, restoreMs: 500 },
    },
    catalog: memoryCatalogModule(catalog, queue),
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  }).get(WorkerRuntime);
  return { runtime, backend };
}

const texts = (backend: FakeExecutionBackend) => backend.dispatches.map((d) => (d.input.kind === 'user' && 'content' in d.input.segments[0]! ? d.input.segments[0].content : '?'));

/** A Worker running a held run, with `n` inputs queued behind it; the process then dies. */
async function crashWithQueue(s: Stores, n: number, fake: FakeExecutionBackendOptions = {}) {
  const before = boot(s, fake);
  await before.runtime.create({ workerId: 'w', profile: 'q' });
  await before.runtime.submitInput('w', textInput('#hold before the crash'));
  const queued = [];
  for (let i = 0; i < n; i++) queued.push(await before.runtime.submitInput('w', textInput(`queued ${i}`), { idempotencyKey: `key-${i}` }));
  for (const result of queued) expect(result).toMatchObject({ outcome: 'queued' });
  return { before, queued };
}

describe('the input queue across a crash (durable store)', () => {
  it('every queued input is dispatched exactly once after the restart, in order, and ends committed', async () => {
    const s = stores();
    const { queued } = await crashWithQueue(s, 3);
    const after = boot(s);
    await after.runtime.restoreWorkers();
    expect(await eventually(() => after.backend.dispatches.length === 3 && after.runtime.get('w')?.queue.length === 0)).toBe(true);
    expect(texts(after.backend)).toEqual(['queued 0', 'queued 1', 'queued 2']);
    expect(after.backend.dispatches.map((d) => d.submissionId)).toEqual(queued.map((r) => r.submissionId));
    for (const result of queued) {
      expect(after.runtime.submission('w', result.submissionId!)).toMatchObject({ ok: true, submission: { status: 'settled', settlement: { outcome: 'committed' } } });
    }
    // A repeat of a key from before the crash names the same submission and queues nothing.
    expect(await after.runtime.submitInput('w', textInput('queued 1'), { idempotencyKey: 'key-1' })).toMatchObject({ outcome: 'queued', submissionId: queued[1]!.submissionId });
    await eventually(() => after.runtime.get('w')?.state === 'idle');
    expect(after.backend.dispatches).toHaveLength(3);
    await after.runtime.shutdown();
  });

  it('an input being handed over at the crash, with no backend record: unknown with a diagnostic, never sent again', async () => {
    const s = stores();
    const { before, queued } = await crashWithQueue(s, 2);
    before.backend.once('dispatch', 'hang'); // the first queued input is marked dispatching, then the process dies
    await before.backend.finishRun('w');
    expect(await eventually(() => before.runtime.submission('w', queued[0]!.submissionId!).ok && (before.runtime.submission('w', queued[0]!.submissionId!) as { submission: { status: string } }).submission.status === 'dispatching')).toBe(true);
    const after = boot(s);
    await after.runtime.restoreWorkers();
    expect(await eventually(() => after.runtime.get('w')?.queue.length === 0 && after.backend.dispatches.length === 1)).toBe(true);
    expect(texts(after.backend)).toEqual(['queued 1']);
    expect(after.runtime.submission('w', queued[0]!.submissionId!)).toMatchObject({
      ok: true,
      submission: { status: 'settled', settlement: { outcome: 'unknown', reason: 'outcome_unknown', diagnostic: { code: 'dispatch_unresolved' } } },
    });
    await after.runtime.shutdown();
  });

  it.each([
    ['committed', 'committed', []],
    ['not_committed', 'committed', ['queued 0']],
    ['unknown', 'unknown', []],
  ] as const)('the backend`s own record says %s: the input ends %s and is dispatched %j after the restart', async (record, outcome, sent) => {
    const s = stores();
    const { before, queued } = await crashWithQueue(s, 2);
    before.backend.once('dispatch', 'hang');
    await before.backend.finishRun('w');
    await eventually(() => (before.runtime.submission('w', queued[0]!.submissionId!) as { submission?: { status: string } }).submission?.status === 'dispatching');
    const after = boot(s, { inputRecord: (id) => ({ status: id === queued[0]!.submissionId ? record : 'unknown' }) });
    await after.runtime.restoreWorkers();
    expect(await eventually(() => after.runtime.get('w')?.queue.length === 0 && after.runtime.get('w')?.state === 'idle')).toBe(true);
    expect(texts(after.backend)).toEqual([...sent, 'queued 1']);
    expect(after.runtime.submission('w', queued[0]!.submissionId!)).toMatchObject({ ok: true, submission: { settlement: { outcome } } });
    await after.runtime.shutdown();
  });

  it('a Worker the next process cannot reattach: its queued inputs end rejected (execution_unavailable), nothing is sent', async () => {
    const s = stores();
    const { queued } = await crashWithQueue(s, 2);
    const after = boot(s, { capabilities: { restore: false } });
    await after.runtime.restoreWorkers();
    expect(after.runtime.get('w')).toMatchObject({ state: 'unavailable', queue: { length: 0 } });
    for (const result of queued) {
      expect(after.runtime.submission('w', result.submissionId!)).toMatchObject({ ok: true, submission: { settlement: { outcome: 'rejected', reason: 'execution_unavailable' } } });
    }
    expect(after.backend.dispatches).toEqual([]);
    await after.runtime.shutdown();
  });

  it('a durable queue is left as it is at shutdown, and the next start dispatches it', async () => {
    const s = stores();
    const before = boot(s);
    await before.runtime.create({ workerId: 'w', profile: 'q' });
    await before.runtime.submitInput('w', textInput('#hold'));
    const queued = await before.runtime.submitInput('w', textInput('after the restart'));
    await before.runtime.shutdown();
    expect(before.runtime.submission('w', queued.submissionId!)).toMatchObject({ ok: true, submission: { status: 'queued' } });
    const after = boot(s);
    await after.runtime.restoreWorkers();
    expect(await eventually(() => after.backend.dispatches.length === 1)).toBe(true);
    expect(texts(after.backend)).toEqual(['after the restart']);
    await after.runtime.shutdown();
  });
});
