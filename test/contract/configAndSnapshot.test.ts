import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/container/configError.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { FakeExecutionBackend, takeFrames } from '../../src/testing/index.js';
import { HostileBackend, PLANTED, deferred, hostileRuntime, settle } from '../support/hostileBackend.js';

const bound = (...backends: ExecutionBackendPort[]) =>
  new ContainerModule(({ bind }) => void backends.forEach((b) => bind(ExecutionBackendPort).toConstantValue(b)));

describe('item 8: two backends under one backendId are a ConfigError when the container is built', () => {
  it('in one module or in two', () => {
    const one = () => createRuntimeContainer({ backends: [bound(new FakeExecutionBackend({ backendId: 'x' }), new FakeExecutionBackend({ backendId: 'x' }))] });
    const two = () => createRuntimeContainer({ backends: [bound(new FakeExecutionBackend({ backendId: 'x' })), bound(new FakeExecutionBackend({ backendId: 'x' }))] });
    for (const build of [one, two]) {
      expect(build).toThrow(ConfigError);
      expect(build).toThrow(/backendId "x" is bound twice/);
    }
    expect(() => createRuntimeContainer({ backends: [bound(new FakeExecutionBackend({ backendId: 'x' }), new FakeExecutionBackend({ backendId: 'y' }))] })).not.toThrow();
  });

  it('a backendId that is not a usable id is a ConfigError too', () => {
    const unreadable = Object.defineProperty({ spawn: () => null, dispatchInput: () => null }, 'backendId', {
      get: () => {
        throw new Error(PLANTED);
      },
    }) as unknown as ExecutionBackendPort;
    const numeric = { backendId: 42, spawn: () => null, dispatchInput: () => null } as unknown as ExecutionBackendPort;
    for (const backend of [unreadable, numeric]) {
      let error: unknown;
      try {
        createRuntimeContainer({ backends: [bound(backend)] });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message)).not.toContain(PLANTED);
    }
  });
});

describe('item 8: snapshot() bounds, checks and copies what the backend hands over', () => {
  const greeting = { worker_name: 'w', cwd: PLANTED, provider: 'p', model: 'm' };

  it('a snapshot over maxEventBytes is errored backend_protocol_error', async () => {
    const hostile = new HostileBackend({ snapshot: () => Promise.resolve({ status: 'ready', snapshot: { entries: ['x'.repeat(4096)], greeting, status: 'idle' } }) });
    const { runtime } = hostileRuntime([hostile], { maxEventBytes: 2048 });
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    expect(await runtime.snapshot('w')).toEqual({
      result: expect.objectContaining({ outcome: 'errored', reason: 'backend_protocol_error' }),
      snapshot: null,
    });
    await runtime.shutdown();
  });

  it.each([
    ['no entries', { greeting, status: 'idle' }],
    ['a string', PLANTED],
    ['a class instance inside', { entries: [new Date()], greeting, status: 'idle' }],
  ])('a malformed snapshot (%s) is errored backend_protocol_error', async (_name, snapshot) => {
    const hostile = new HostileBackend({ snapshot: () => Promise.resolve({ status: 'ready', snapshot }) });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const answer = await runtime.snapshot('w');
    expect(answer).toMatchObject({ result: { outcome: 'errored', reason: 'backend_protocol_error' }, snapshot: null });
    expect(JSON.stringify(answer)).not.toContain(PLANTED);
    await runtime.shutdown();
  });

  it('the snapshot handed out is a copy: the backend changing its object later changes nothing', async () => {
    const data = { entries: [{ kind: 'user', text: 'hi' }], greeting: { ...greeting }, status: 'idle' };
    const hostile = new HostileBackend({ snapshot: () => Promise.resolve({ status: 'ready', snapshot: data }) });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const { result, snapshot } = await runtime.snapshot('w');
    expect(result).toMatchObject({ outcome: 'accepted', reason: 'snapshot' });
    data.entries[0]!.text = 'changed';
    data.status = 'running';
    expect(snapshot).toMatchObject({ entries: [{ kind: 'user', text: 'hi' }], status: 'idle' });
    expect(JSON.stringify(snapshot)).not.toContain(PLANTED);
    await runtime.shutdown();
  });
});

describe('item 8: events published while starting by a spawn that then fails stay on the stream', () => {
  it.each([
    ['rejected', (answer: ReturnType<typeof deferred<unknown>>) => answer.resolve({ status: 'rejected', diagnostic: { code: 'no_start', severity: 'error', message: 'no' } })],
    ['timed out', () => undefined],
  ])('spawn %s: what was published stays, readable and observable; nothing more is accepted', async (_name, answer) => {
    const spawned = deferred<unknown>();
    const hostile = new HostileBackend({ spawn: () => spawned.promise });
    const { runtime, stored } = hostileRuntime([hostile], { deadlines: { spawnMs: 60 } });
    const creating = runtime.create({ workerId: 'w', profile: 'hostile' });
    await settle(1);
    const context = hostile.context('w');
    expect(await context.publish({ event: 'alert', data: { level: 'error', source: 'agent', message: 'login required', timestamp_ms: 1 } })).toMatchObject({ ok: true });
    answer(spawned);
    const { worker } = await creating;
    expect(worker?.state).toBe('unavailable');
    expect(await context.publish({ event: 'text_delta', data: { text: 'after the failure' } })).toMatchObject({ ok: false, reason: 'revoked' });
    expect((await stored('w')).map((o) => o.event.event)).toEqual(['alert']);
    const observed = runtime.observe('w');
    if (!observed.ok) throw new Error('observe');
    expect(await takeFrames(observed.subscription, 1)).toMatchObject([{ type: 'observation', replayed: true, observation: { event: { event: 'alert' } } }]);
    observed.subscription.close();
    await runtime.shutdown();
  });
});
