import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { MemoryInputQueue } from '../../src/adapters/memoryCatalog/memoryInputQueue.js';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import type { RuntimeOptionsInput } from '../../src/application/runtimeOptions.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { QueuedInput, Settlement } from '../../src/domain/queuedInput.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { InputQueuePort } from '../../src/ports/inputQueuePort.js';
import { WorkerCatalogPort } from '../../src/ports/workerCatalogPort.js';
import { eventually, FakeExecutionBackend, Gate, type FakeExecutionBackendOptions } from '../../src/testing/index.js';

/**
 * Seams between the input queue and the other features (lost executions, shutdown): the drain marks
 * its next input `dispatching` in the store before it hands it over, and the Worker may change while
 * that write is on its way. A TEST double store lets the test hold the mark at a gate.
 */
class GatedQueue implements InputQueuePort {
  readonly inner = new MemoryInputQueue();
  updateGate: Gate | null = null;
  readonly log: string[] = [];

  constructor(readonly durable: boolean) {}

  load(runtimeId: string) {
    return this.inner.load(runtimeId);
  }
  append(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    this.log.push(`append ${entry.submissionId}`);
    return this.inner.append(runtimeId, workerId, entry);
  }
  async update(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    this.log.push(`update ${entry.submissionId} ${entry.state}`);
    await this.updateGate?.wait();
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

function boot(options: { durable?: boolean; fake?: FakeExecutionBackendOptions; runtime?: RuntimeOptionsInput } = {}) {
  const store = new GatedQueue(options.durable ?? false);
  const fake = new FakeExecutionBackend({ backendId: 'fake', ...options.fake });
  const runtime = createRuntimeContainer({
    runtime: { profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } }, ...options.runtime },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(fake))],
    catalog: new ContainerModule(({ bind }) => {
      bind(WorkerCatalogPort).toConstantValue(new MemoryWorkerCatalog());
      bind(InputQueuePort).toConstantValue(store);
    }),
  }).get(WorkerRuntime);
  return { runtime, fake, store };
}

const statusOf = (runtime: WorkerRuntime, id: string) => {
  const found = runtime.submission('w', id);
  return found.ok ? found.submission.status : null;
};

/** A Worker running a held run, with `texts` queued behind it; the next mark will wait at the store's gate. */
async function queuedBehindHold(f: ReturnType<typeof boot>, texts: string[]) {
  await f.runtime.create({ workerId: 'w', profile: 'q' });
  expect(await f.runtime.submitInput('w', textInput('#hold'))).toMatchObject({ outcome: 'accepted' });
  const ids: string[] = [];
  for (const text of texts) {
    const result = await f.runtime.submitInput('w', textInput(text));
    expect(result).toMatchObject({ outcome: 'queued' });
    ids.push(result.submissionId!);
  }
  f.store.updateGate = new Gate();
  await f.fake.finishRun('w');
  expect(await eventually(() => f.store.log.includes(`update ${ids[0]} dispatching`))).toBe(true);
  return ids;
}

describe('a Worker that changes while its next queued input is being marked dispatching', () => {
  it('a dropped connection during the mark, then a reconnect: the queue goes on and the Worker takes input again', async () => {
    const f = boot();
    const [id] = await queuedBehindHold(f, ['after the reconnect']);
    f.fake.disconnect('w');
    expect(f.runtime.get('w')?.state).toBe('unavailable');
    f.store.updateGate!.open();
    // The mark landed while the Worker was unavailable: the input is put back, not dispatched.
    expect(await eventually(() => f.store.log.includes(`update ${id} queued`))).toBe(true);
    expect(f.fake.reconnect('w', 'idle')).toBe(true);
    expect(await eventually(() => f.fake.dispatches.length === 2 && statusOf(f.runtime, id!) === 'settled')).toBe(true);
    expect(f.runtime.submission('w', id!)).toMatchObject({ ok: true, submission: { settlement: { outcome: 'committed' } } });
    expect(await eventually(() => f.runtime.get('w')?.state === 'idle')).toBe(true);
    expect(await f.runtime.submitInput('w', textInput('direct'))).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    await f.runtime.shutdown();
  });

  it('shutdown during the mark (queues in memory): that input ends cancelled runtime_stopped like the rest, never dispatched', async () => {
    const f = boot({ durable: false });
    const [marked, waiting] = await queuedBehindHold(f, ['being marked', 'waiting']);
    const done = f.runtime.shutdown();
    // The shutdown settled what waits; the one being marked is left to finish on its own.
    expect(await eventually(() => statusOf(f.runtime, waiting!) === 'settled')).toBe(true);
    f.store.updateGate!.open();
    await done;
    expect(f.fake.dispatches).toHaveLength(1);
    expect(f.runtime.submission('w', waiting!)).toMatchObject({ ok: true, submission: { settlement: { outcome: 'cancelled', reason: 'runtime_stopped' } } });
    expect(f.runtime.submission('w', marked!)).toMatchObject({ ok: true, submission: { status: 'settled', settlement: { outcome: 'cancelled', reason: 'runtime_stopped' } } });
  });
  it('a Worker removed during the mark (a backend that cannot stop): its queue is not written back to the store after the drop', async () => {
    const f = boot({ durable: true, fake: { capabilities: { stop: false } } });
    const [id] = await queuedBehindHold(f, ['never']);
    expect(await f.runtime.remove('w')).toMatchObject({ outcome: 'accepted', reason: 'removed' });
    f.store.updateGate!.open();
    // The put-back write would come after the drop: wait until every write asked for has gone out.
    await f.runtime.shutdown();
    const stored = (await f.store.inner.load('local')).queues.find((q) => q.workerId === 'w');
    expect(stored?.entries ?? []).toEqual([]);
    expect(f.store.log).not.toContain(`update ${id} queued`);
    expect(f.fake.dispatches).toHaveLength(1);
  });
  it('a Worker removed during the mark and created again under its id: the new Worker drains its own queue', async () => {
    const f = boot({ durable: false, fake: { capabilities: { stop: false } } });
    await queuedBehindHold(f, ['of the removed Worker']);
    expect(await f.runtime.remove('w')).toMatchObject({ reason: 'removed' });
    await f.runtime.create({ workerId: 'w', profile: 'q' });
    const held = f.store.updateGate!;
    f.store.updateGate = null; // the new Worker's marks go through; the old one's is still held
    expect(await f.runtime.submitInput('w', textInput('#hold again'))).toMatchObject({ outcome: 'accepted' });
    const next = await f.runtime.submitInput('w', textInput('of the new Worker'));
    expect(next).toMatchObject({ outcome: 'queued' });
    await f.fake.finishRun('w');
    expect(await eventually(() => f.runtime.get('w')?.state === 'idle')).toBe(true);
    // The old Worker's mark lands (the new Worker's writes are ordered after it and its queue's drop).
    held.open();
    expect(await eventually(() => f.fake.dispatches.length === 3)).toBe(true);
    expect(await eventually(() => statusOf(f.runtime, next.submissionId!) === 'settled')).toBe(true);
    await f.runtime.shutdown();
  });
});
