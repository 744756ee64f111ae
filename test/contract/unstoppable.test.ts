import { describe, expect, it } from 'vitest';
import type { LifecycleFrame } from '../../src/application/lifecycleFeed.js';
import type { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { textInput } from '../../src/domain/workerInput.js';
import { HostileBackend, hostileRuntime, settle } from '../support/hostileBackend.js';

const FINAL = ['stopped', 'unavailable', 'errored'];

/** Lifecycle changes from now on, read after the test acted. */
function changesFrom(runtime: WorkerRuntime) {
  const subscription = runtime.lifecycle();
  return async () => {
    await settle();
    const frames = (await Promise.race([subscription.nextBatch(1000), settle(2).then(() => [])])) as LifecycleFrame[];
    subscription.close();
    return frames.filter((f) => f.type === 'lifecycle').map((f) => f.change.worker.state);
  };
}

describe('item 7: Workers whose backend cannot stop them still reach a final state', () => {
  it('without stop: stop is unsupported and changes nothing; remove releases the execution (context revoked) and forgets the Worker', async () => {
    const hostile = new HostileBackend({});
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    await runtime.submitInput('w', textInput('run'));
    const before = runtime.get('w');
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'unsupported', reason: 'operation_unsupported', state: 'busy' });
    expect(runtime.get('w')).toEqual(before);
    expect(await runtime.remove('w')).toMatchObject({ outcome: 'accepted', reason: 'removed' });
    expect(hostile.context('w').signal.aborted).toBe(true);
    expect(runtime.list()).toEqual([]);
    await runtime.shutdown();
  });

  it.each([
    ['unsupported', () => Promise.resolve({ status: 'unsupported' })],
    ['rejected', () => Promise.resolve({ status: 'rejected', diagnostic: { code: 'not_now', severity: 'error', message: 'not now' } })],
  ])('a stop the backend answers %s does not flicker the Worker through stopping', async (_name, stop) => {
    const hostile = new HostileBackend({ stop });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const before = runtime.get('w');
    const changes = changesFrom(runtime);
    const result = await runtime.stop('w');
    expect(result.outcome).not.toBe('accepted');
    expect(result.state).toBe('idle');
    expect(runtime.get('w')).toEqual(before);
    expect(await changes()).toEqual([]);
    await runtime.shutdown();
  });

  it('a stop answered unsupported makes the Worker removable', async () => {
    const hostile = new HostileBackend({ stop: () => Promise.resolve({ status: 'unsupported' }) });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    expect(await runtime.remove('w')).toMatchObject({ outcome: 'rejected', reason: 'worker_live' });
    await runtime.stop('w');
    expect(await runtime.remove('w')).toMatchObject({ outcome: 'accepted', reason: 'removed' });
    expect(hostile.context('w').signal.aborted).toBe(true);
    await runtime.shutdown();
  });

  it.each([
    ['no stop at all', {}],
    ['a stop answering unsupported', { stop: () => Promise.resolve({ status: 'unsupported' }) }],
    ['a stop answering rejected', { stop: () => Promise.resolve({ status: 'rejected', diagnostic: { code: 'no', severity: 'error', message: 'no' } }) }],
    ['a stop that throws', { stop: () => Promise.reject(new Error('no')) }],
    ['a stop that never answers', { stop: () => new Promise(() => undefined) }],
  ])('after shutdown every Worker is in a final state, its context revoked, the backend disposed (%s)', async (_name, answers) => {
    let disposed = 0;
    const hostile = new HostileBackend({ ...answers, dispose: () => Promise.resolve(void disposed++) });
    const { runtime } = hostileRuntime([hostile], { deadlines: { stopMs: 30 } });
    await runtime.create({ workerId: 'idle', profile: 'hostile' });
    await runtime.create({ workerId: 'busy', profile: 'hostile' });
    await runtime.submitInput('busy', textInput('run'));
    await runtime.shutdown();
    for (const worker of runtime.list()) expect(FINAL).toContain(worker.state);
    for (const id of ['idle', 'busy']) expect(hostile.context(id).signal.aborted).toBe(true);
    expect(disposed).toBe(1);
  });

  it('at shutdown stopping is announced at once, and a refused stop releases the Worker without going back to its run state', async () => {
    const hostile = new HostileBackend({ stop: () => Promise.resolve({ status: 'unsupported' }) });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const lifecycle = runtime.lifecycle();
    await runtime.shutdown();
    const frames = await lifecycle.nextBatch(100);
    const states = frames.flatMap((f) => (f.type === 'lifecycle' ? [f.change.worker.state] : []));
    expect(states).toEqual(['stopping', 'stopped']);
    expect(runtime.get('w')?.diagnostic?.code).toBe('execution_released');
  });

  it('a Worker starting while shutdown begins ends final too, even when its spawn answer comes late', async () => {
    const hostile = new HostileBackend({ spawn: () => new Promise(() => undefined) });
    const { runtime } = hostileRuntime([hostile], { deadlines: { spawnMs: 30 } });
    const creating = runtime.create({ workerId: 'w', profile: 'hostile' });
    await runtime.shutdown();
    await creating;
    expect(FINAL).toContain(runtime.get('w')?.state);
  });
});
