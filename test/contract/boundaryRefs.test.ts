import { describe, expect, it } from 'vitest';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { HostileBackend, hostileRuntime } from '../support/hostileBackend.js';

describe('item 1: refs handed to a backend are frozen copies; the guard routes by the Runtime record', () => {
  it('a backend that rewrites context.worker cannot publish into another Worker, nor rename its own', async () => {
    const hostile = new HostileBackend({});
    const { runtime, stored } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'attacker', profile: 'hostile' });
    await runtime.create({ workerId: 'victim', profile: 'hostile' });
    const context = hostile.context('attacker');
    expect(Object.isFrozen(context.worker)).toBe(true);
    expect(() => {
      (context.worker as { workerId: string }).workerId = 'victim';
    }).toThrow(TypeError);
    Reflect.set(context.worker, 'runtimeId', 'elsewhere');
    expect(await context.publish({ event: 'text_delta', data: { text: 'planted' } })).toMatchObject({ ok: true });
    expect(await stored('victim')).toEqual([]);
    expect((await stored('attacker')).map((o) => [o.worker.workerId, o.event.data?.text])).toEqual([['attacker', 'planted']]);
    expect(runtime.list().map((w) => w.workerId).sort()).toEqual(['attacker', 'victim']);
    await runtime.shutdown();
  });

  it('each context gets its own copy: the Runtime never hands out the ref it routes by', async () => {
    const hostile = new HostileBackend({});
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'a', profile: 'hostile' });
    const observed = runtime.observe('a');
    if (!observed.ok) throw new Error('observe');
    await hostile.context('a').publish({ event: 'text_delta', data: { text: 'x' } });
    const frame = await observed.subscription[Symbol.asyncIterator]().next();
    const observation = (frame.value as { observation: { worker: object } }).observation;
    expect(observation.worker).not.toBe(hostile.context('a').worker);
    expect(Object.isFrozen(observation.worker)).toBe(true);
    await runtime.shutdown();
  });
});

describe('item 1: the memory bus keys streams by value, not by ref identity', () => {
  it('a ref mutated after its first publish neither keeps its old stream nor escapes drop', async () => {
    const bus = new MemoryObservationBus({ retentionPerWorker: 100, subscriberQueue: 100 }, new SystemClock(), new RandomIds());
    const ref = { runtimeId: 'rt', workerId: 'a' };
    await bus.publish(ref, { event: 'text_delta', data: { text: 'for a' } });
    ref.workerId = 'b';
    await bus.publish(ref, { event: 'text_delta', data: { text: 'for b' } });
    const a = await bus.read({ runtimeId: 'rt', workerId: 'a' }, { limit: 10 });
    const b = await bus.read({ runtimeId: 'rt', workerId: 'b' }, { limit: 10 });
    expect(a.status === 'ok' && a.observations.map((o) => [o.worker.workerId, o.event.data?.text])).toEqual([['a', 'for a']]);
    expect(b.status === 'ok' && b.observations.map((o) => [o.worker.workerId, o.event.data?.text])).toEqual([['b', 'for b']]);
    await bus.drop({ runtimeId: 'rt', workerId: 'b' }, 'worker_removed');
    await bus.publish(ref, { event: 'text_delta', data: { text: 'after drop' } });
    const again = await bus.read({ runtimeId: 'rt', workerId: 'b' }, { limit: 10 });
    expect(again.status === 'ok' && again.observations.map((o) => [o.sequence, o.event.data?.text])).toEqual([[1, 'after drop']]);
  });
});
