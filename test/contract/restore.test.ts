import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { memoryCatalogModule } from '../../src/adapters/memoryCatalog/memoryCatalogModule.js';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { WorkerCatalogPort } from '../../src/ports/workerCatalogPort.js';
import { FakeExecutionBackend, takeFrames, type FakeExecutionBackendOptions } from '../../src/testing/index.js';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { ObservationPublisherPort } from '../../src/ports/observationPublisherPort.js';
import { ObservationReaderPort } from '../../src/ports/observationReaderPort.js';

/** One "process": a Runtime with id `rt` on a shared catalog and its own FAKE backend. */
function boot(catalog: WorkerCatalogPort, fake: FakeExecutionBackendOptions = {}) {
  const backend = new FakeExecutionBackend({ backendId: 'fake', ...fake });
  const runtime = createRuntimeContainer({
    runtime: { runtimeId: 'rt', profiles: { fake: { backend: 'fake' }, none: { backend: null } }, deadlines: { restoreMs: 100 } },
    catalog: new ContainerModule(({ bind }) => void bind(WorkerCatalogPort).toConstantValue(catalog)),
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  }).get(WorkerRuntime);
  return { runtime, backend };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('durable catalog and restore', () => {
  it('after a crash, Workers come back restored where the backend can, with a higher run generation', async () => {
    const catalog = new MemoryWorkerCatalog();
    const before = boot(catalog);
    await before.runtime.create({ workerId: 'live', profile: 'fake', displayName: 'Live one' });
    await before.runtime.create({ workerId: 'gone', profile: 'fake' });
    await before.runtime.stop('gone');
    await before.runtime.create({ workerId: 'off', profile: 'none' });
    await settle();
    // The process dies here: no shutdown.
    const after = boot(catalog);
    const results = await after.runtime.restoreWorkers();
    expect(results.map((r) => [r.operation, r.reason]).sort()).toEqual([
      ['restore', 'already_stopped'],
      ['restore', 'execution_unavailable'],
      ['restore', 'restored'],
    ]);
    expect(after.runtime.get('live')).toMatchObject({ state: 'idle', runGeneration: 2, displayName: 'Live one' });
    expect(after.runtime.get('gone')).toMatchObject({ state: 'stopped', runGeneration: 2 });
    expect(after.runtime.get('off')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'backend_not_configured' } });
    expect(after.backend.calls.filter((c) => c.operation === 'restore').map((c) => c.workerId)).toEqual(['live']);
    expect((await after.runtime.submitInput('live', textInput('still there?'))).outcome).toBe('accepted');
  });

  it.each([
    [{ capabilities: { restore: false } }, 'restore_unsupported', 'unsupported'],
    [{ behaviours: { restore: 'unsupported' as const } }, 'restore_unsupported', 'unsupported'],
    [{ behaviours: { restore: 'throw' as const } }, 'execution_lost', 'errored'],
    [{ behaviours: { restore: 'hang' as const } }, 'execution_lost', 'errored'],
  ])('a Worker the backend cannot reattach comes back unavailable, never silently connected (%j)', async (fake, code, outcome) => {
    const catalog = new MemoryWorkerCatalog();
    await boot(catalog).runtime.create({ workerId: 'w', profile: 'fake' });
    await settle();
    const after = boot(catalog, fake);
    const [result] = await after.runtime.restoreWorkers();
    expect(result?.outcome).toBe(outcome);
    expect(after.runtime.get('w')).toMatchObject({ state: 'unavailable', diagnostic: { code }, runGeneration: 2 });
    expect((await after.runtime.submitInput('w', textInput('x'))).reason).toBe('execution_unavailable');
  });

  it('a graceful shutdown does not turn Workers into stopped ones: they are restored on the next start', async () => {
    const catalog = new MemoryWorkerCatalog();
    const before = boot(catalog);
    await before.runtime.create({ workerId: 'w', profile: 'fake' });
    await before.runtime.shutdown();
    const after = boot(catalog);
    await after.runtime.restoreWorkers();
    expect(after.runtime.get('w')?.state).toBe('idle');
  });

  it('run generations only grow across restarts and removals', async () => {
    const catalog = new MemoryWorkerCatalog();
    let generation = 0;
    for (let restart = 0; restart < 3; restart++) {
      const { runtime } = boot(catalog);
      await runtime.restoreWorkers();
      if (!runtime.get('w')) await runtime.create({ workerId: 'w', profile: 'fake' });
      const next = runtime.get('w')!.runGeneration;
      expect(next).toBeGreaterThan(generation);
      generation = next;
      await settle();
    }
  });

  it('a removed Worker leaves the catalog', async () => {
    const catalog = new MemoryWorkerCatalog();
    const { runtime } = boot(catalog);
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.stop('w');
    await runtime.remove('w');
    await settle();
    expect(await catalog.load('rt')).toEqual([]);
  });

  it('an unreachable catalog makes restore fail loudly', async () => {
    const broken: WorkerCatalogPort = {
      load: () => Promise.reject(new Error('catalog unreachable')),
      get: () => Promise.resolve(null),
      save: () => Promise.reject(new Error('down')),
      remove: () => Promise.reject(new Error('down')),
    };
    const { runtime } = boot(broken);
    await expect(runtime.restoreWorkers()).rejects.toThrow('catalog unreachable');
    expect((await runtime.create({ workerId: 'w', profile: 'fake' })).result.reason).toBe('created');
  });

  it('the catalog is a port too: unreadable or repeated entries are skipped and said so, the rest restored', async () => {
    const now = Date.now();
    const entry = { workerId: 'w', profile: 'fake', displayName: null, state: 'idle', diagnostic: null, runGeneration: 1, restoreToken: null, createdAt: now, updatedAt: now };
    const hostile = (answer: unknown): WorkerCatalogPort => ({
      load: () => Promise.resolve(answer as never),
      get: () => Promise.resolve(null),
      save: () => Promise.resolve(),
      remove: () => Promise.resolve(),
    });
    const { runtime } = boot(hostile([{ ...entry, state: '/home/alice/.ssh/id_rsa' }, entry, { ...entry, profile: 'other' }, { ...entry, workerId: '../x' }, 42]));
    const results = await runtime.restoreWorkers();
    expect(results.map((r) => r.reason).sort()).toEqual(['backend_protocol_error', 'backend_protocol_error', 'backend_protocol_error', 'backend_protocol_error', 'restored']);
    expect(runtime.list().map((w) => [w.workerId, w.profile, w.state])).toEqual([['w', 'fake', 'idle']]);
    expect(await boot(hostile('not a list')).runtime.restoreWorkers()).toMatchObject([{ outcome: 'errored', reason: 'backend_protocol_error', state: null }]);
  });

  it('the catalog keeps no handle and nothing internal', async () => {
    const catalog = new MemoryWorkerCatalog();
    const { runtime } = boot(catalog, { handleSecret: 'HANDLESECRET' });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await settle();
    expect(JSON.stringify(await catalog.load('rt'))).not.toContain('HANDLESECRET');
  });
});

describe('memoryCatalogModule', () => {
  it('binds the given catalog', () => {
    const catalog = new MemoryWorkerCatalog();
    const container = createRuntimeContainer({ catalog: memoryCatalogModule(catalog) });
    expect(container.get(WorkerRuntime)).toBeInstanceOf(WorkerRuntime);
  });
});

describe('observing a Worker of another Runtime (shared bus and catalog)', () => {
  it("reads the owner's stream; an unknown or malformed reference is a typed rejection", async () => {
    const catalog = new MemoryWorkerCatalog();
    const bus = new MemoryObservationBus({ retentionPerWorker: 100, subscriberQueue: 100 }, new SystemClock(), new RandomIds());
    const sharedBus = new ContainerModule(({ bind }) => {
      bind(ObservationPublisherPort).toConstantValue(bus);
      bind(ObservationReaderPort).toConstantValue(bus);
    });
    const fake = new FakeExecutionBackend({ backendId: 'fake' });
    const owner = createRuntimeContainer({
      runtime: { runtimeId: 'rt', profiles: { fake: { backend: 'fake' } } },
      bus: sharedBus,
      catalog: memoryCatalogModule(catalog),
      backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(fake))],
    }).get(WorkerRuntime);
    const other = createRuntimeContainer({ runtime: { runtimeId: 'other' }, bus: sharedBus, catalog: memoryCatalogModule(catalog) }).get(WorkerRuntime);
    await owner.create({ workerId: 'w', profile: 'fake' });
    await settle();
    expect(await other.observeAcross({ runtimeId: 'rt', workerId: 'nobody' })).toMatchObject({ ok: false, result: { reason: 'worker_not_found' } });
    expect(await other.observeAcross({ runtimeId: '../x', workerId: 'w' })).toMatchObject({ ok: false, result: { reason: 'invalid_request' } });
    expect(await other.observeAcross({ runtimeId: 'rt', workerId: 'w' }, { after: 'garbage' })).toMatchObject({ ok: false, result: { reason: 'invalid_request' } });
    const found = await other.observeAcross({ runtimeId: 'rt', workerId: 'w' });
    if (!found.ok) throw new Error(found.result.reason);
    await fake.contextOf('w')!.publish({ event: 'text_delta', data: { text: 'from rt' } });
    const [frame] = await takeFrames(found.subscription, 1);
    expect(frame).toMatchObject({ type: 'observation', observation: { worker: { runtimeId: 'rt', workerId: 'w' }, event: { data: { text: 'from rt' } } } });
    found.subscription.close();
  });
});
