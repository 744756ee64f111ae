import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { memoryCatalogModule } from '../../src/adapters/memoryCatalog/memoryCatalogModule.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { OperationResultSchema } from '../../src/domain/executionResult.js';
import { LifecycleChangeSchema, WorkerProjectionSchema } from '../../src/domain/projection.js';
import { textInput } from '../../src/domain/workerInput.js';
import type { RunState } from '../../src/domain/workerState.js';
import { HostileBackend, PLANTED, doneAnswer, hostileRuntime, settle, throwingGetters, throwingThen } from '../support/hostileBackend.js';

/** Every lifecycle change emitted so far, parsed with the browser schema. */
async function lifecycleChanges(runtime: ReturnType<typeof hostileRuntime>['runtime']) {
  const subscription = runtime.lifecycle('c1.x.1');
  const changes = [];
  for (const frame of await subscription.nextBatch(10_000)) if (frame.type === 'lifecycle') changes.push(LifecycleChangeSchema.parse(frame.change));
  subscription.close();
  return changes;
}

function expectSafe(...outputs: unknown[]): void {
  const text = JSON.stringify(outputs);
  expect(text).not.toContain(PLANTED);
  expect(text).not.toContain('alice');
}

describe('item 3: backend answers are parsed at the port, copied once, and malformed ones are errored for that Worker', () => {
  it('a spawn ready with a non-enum state is errored backend_protocol_error; the Worker is unavailable; the execution is released', async () => {
    const hostile = new HostileBackend({
      spawn: () => Promise.resolve({ status: 'ready', handle: 'h', state: PLANTED }),
      stop: doneAnswer,
    });
    const { runtime } = hostileRuntime([hostile]);
    const { result, worker } = await runtime.create({ workerId: 'w', profile: 'hostile' });
    expect(result).toMatchObject({ outcome: 'errored', reason: 'backend_protocol_error', state: 'unavailable' });
    expect(OperationResultSchema.parse(result)).toEqual(result);
    expect(WorkerProjectionSchema.parse(worker)).toMatchObject({ state: 'unavailable', diagnostic: { code: 'backend_protocol_error' } });
    await settle();
    expect(hostile.calls).toContain('stop');
    expect((await lifecycleChanges(runtime)).map((c) => c.worker.state)).toEqual(['starting', 'unavailable']);
    expectSafe(result, worker, runtime.list());
    await runtime.shutdown();
  });

  it.each([
    ['a result whose getters throw', () => throwingGetters(), 'backend_protocol_error'],
    ['a promise of a result whose getters throw', () => Promise.resolve(throwingGetters()), 'backend_protocol_error'],
    ['an object with a throwing status getter', () => Promise.resolve({ get status() { throw new Error(PLANTED); } }), 'backend_protocol_error'],
    ['a thenable whose then getter throws', () => throwingThen(), 'spawn_failed'],
    ['a string', () => Promise.resolve(PLANTED), 'backend_protocol_error'],
    ['a restore token past the catalog bound', () => Promise.resolve({ status: 'ready', handle: 1, restoreToken: 'x'.repeat(5000) }), 'backend_protocol_error'],
    ['an unknown status', () => Promise.resolve({ status: PLANTED }), 'backend_protocol_error'],
  ])('a spawn answering %s leaves the Worker unavailable, never starting, with a clean message', async (_name, spawn, reason) => {
    const hostile = new HostileBackend({ spawn });
    const { runtime } = hostileRuntime([hostile]);
    const outcome = await runtime.create({ workerId: 'w', profile: 'hostile' });
    expect(outcome.result).toMatchObject({ outcome: 'errored', reason, state: 'unavailable' });
    expect(runtime.get('w')?.state).toBe('unavailable');
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(await runtime.remove('w')).toMatchObject({ outcome: 'accepted', reason: 'removed' });
    expectSafe(outcome);
    await runtime.shutdown();
  });

  it.each([
    ['a non-enum accepted.state', (_h: unknown, _i: unknown, id: unknown) => Promise.resolve({ status: 'accepted', submissionId: id, state: PLANTED })],
    ['a result whose getters throw', () => Promise.resolve(throwingGetters())],
    ['a non-string busy message', () => Promise.resolve({ status: 'busy', message: { toString: () => PLANTED } })],
    ['a huge submission id', () => Promise.resolve({ status: 'accepted', submissionId: 'x'.repeat(1_000_000) })],
  ])('a dispatch answering %s is errored backend_protocol_error and the Worker keeps a valid state', async (_name, dispatchInput) => {
    const hostile = new HostileBackend({ dispatchInput });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const result = await runtime.submitInput('w', textInput('hi'));
    expect(result).toMatchObject({ outcome: 'errored', reason: 'backend_protocol_error', state: 'idle' });
    expect(OperationResultSchema.parse(result)).toEqual(result);
    expect(WorkerProjectionSchema.parse(runtime.get('w')).state).toBe('idle');
    for (const change of await lifecycleChanges(runtime)) expect(change.worker.state).not.toBe(PLANTED);
    expectSafe(result, runtime.list());
    await runtime.shutdown();
  });

  it('a rejected answer whose diagnostic getters throw becomes a clean diagnostic', async () => {
    const hostile = new HostileBackend({ dispatchInput: () => Promise.resolve({ status: 'rejected', diagnostic: throwingGetters() }) });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const result = await runtime.submitInput('w', textInput('hi'));
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'backend_rejected', diagnostic: { code: 'backend_diagnostic_invalid' } });
    expectSafe(result);
    await runtime.shutdown();
  });

  it('an error thrown with a throwing message getter is contained and sanitised', async () => {
    const error = Object.defineProperty(new Error('x'), 'message', {
      get: () => {
        throw new Error(PLANTED);
      },
    });
    const hostile = new HostileBackend({
      dispatchInput: () => Promise.reject(error),
      cancel: () => Promise.reject(throwingGetters()),
    });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const result = await runtime.submitInput('w', textInput('hi'));
    expect(result).toMatchObject({ outcome: 'errored', reason: 'backend_error' });
    await hostile.context('w').publish({ event: 'status', data: { status: 'running' } });
    expect(await runtime.cancel('w')).toMatchObject({ outcome: 'errored', reason: 'backend_error' });
    expectSafe(result);
    await runtime.shutdown();
  });

  it.each(['stop', 'cancel', 'dispatchMethod'] as const)('a malformed %s answer is errored backend_protocol_error', async (name) => {
    const hostile = new HostileBackend({ [name]: () => Promise.resolve({ status: PLANTED }) });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    await hostile.context('w').publish({ event: 'status', data: { status: 'running' } });
    const result =
      name === 'stop' ? await runtime.stop('w') : name === 'cancel' ? await runtime.cancel('w') : await runtime.invokeMethod('w', { method: 'pause' });
    expect(result).toMatchObject({ outcome: 'errored', reason: 'backend_protocol_error' });
    expectSafe(result, runtime.list());
    await runtime.shutdown();
  });

  it('reportRestored with a non-enum state does not connect the Worker and never shows that state', async () => {
    const hostile = new HostileBackend({});
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const context = hostile.context('w');
    context.reportLost({ code: 'gone', severity: 'error', message: 'gone' });
    context.reportRestored(PLANTED as RunState);
    const worker = WorkerProjectionSchema.parse(runtime.get('w'));
    expect(worker).toMatchObject({ state: 'unavailable', diagnostic: { code: 'backend_protocol_error' } });
    for (const change of await lifecycleChanges(runtime)) expect(change.worker.state).not.toBe(PLANTED);
    expectSafe(runtime.list());
    await runtime.shutdown();
  });

  it.each([
    ['a non-enum state', () => Promise.resolve({ status: 'ready', handle: 'h', state: PLANTED })],
    ['a result whose getters throw', () => Promise.resolve(throwingGetters())],
  ])('a restore answering %s brings the Worker back unavailable (backend_protocol_error)', async (_name, restore) => {
    const catalog = new MemoryWorkerCatalog();
    const now = Date.now();
    await catalog.save('local', { workerId: 'w', profile: 'hostile', displayName: null, state: 'idle', diagnostic: null, runGeneration: 1, restoreToken: 't', createdAt: now, updatedAt: now });
    const hostile = new HostileBackend({ restore });
    const runtime = createRuntimeContainer({
      runtime: { profiles: { hostile: { backend: 'hostile' } } },
      catalog: memoryCatalogModule(catalog),
      backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(hostile.port))],
    }).get(WorkerRuntime);
    const [result] = await runtime.restoreWorkers();
    expect(result).toMatchObject({ operation: 'restore', outcome: 'errored', reason: 'backend_protocol_error', state: 'unavailable' });
    expect(WorkerProjectionSchema.parse(runtime.get('w'))).toMatchObject({ state: 'unavailable', diagnostic: { code: 'backend_protocol_error' } });
    expectSafe(result, runtime.list());
    await runtime.shutdown();
  });

  it('reportLost with a diagnostic whose getters throw is contained', async () => {
    const hostile = new HostileBackend({});
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    expect(() => hostile.context('w').reportLost(throwingGetters() as never)).not.toThrow();
    expect(runtime.get('w')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'execution_lost' } });
    expectSafe(runtime.list());
    await runtime.shutdown();
  });
});
