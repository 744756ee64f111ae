import { describe, expect, it } from 'vitest';
import { textInput } from '../../src/domain/workerInput.js';
import { fixture } from '../support/fixture.js';
import { HostileBackend, doneAnswer, hostileRuntime } from '../support/hostileBackend.js';

const LOST = { code: 'connection_lost', severity: 'error', message: 'the connection dropped' } as const;

describe('item 4: a lost execution revokes its context; a restore hands out a new one', () => {
  it('after reportLost the context publishes nothing (typed revoked) and its signal has fired', async () => {
    const hostile = new HostileBackend({});
    const { runtime, stored } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const context = hostile.context('w');
    context.reportLost(LOST);
    expect(runtime.get('w')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'connection_lost' } });
    expect(context.signal.aborted).toBe(true);
    expect(await context.publish({ event: 'text_delta', data: { text: 'from the dead' } })).toMatchObject({ ok: false, reason: 'revoked' });
    expect(await stored('w')).toEqual([]);
    await runtime.shutdown();
  });

  it('reportRestored on the lost context connects the Worker and returns the only context that publishes from then on', async () => {
    const hostile = new HostileBackend({});
    const { runtime, stored } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const lost = hostile.context('w');
    lost.reportLost(LOST);
    const restored = lost.reportRestored('busy');
    expect(restored).toBeDefined();
    expect(restored).not.toBe(lost);
    expect(runtime.get('w')).toMatchObject({ state: 'busy', diagnostic: null });
    expect(restored!.worker).toEqual({ runtimeId: runtime.runtimeId, workerId: 'w' });
    expect(restored!.signal.aborted).toBe(false);
    expect(await restored!.publish({ event: 'run_end', data: { result: 'finished' } })).toMatchObject({ ok: true, sequence: 1 });
    expect(runtime.get('w')?.state).toBe('idle');
    expect(await lost.publish({ event: 'text_delta', data: { text: 'stale' } })).toMatchObject({ ok: false, reason: 'revoked' });
    expect(lost.reportRestored('idle')).toBeUndefined();
    expect((await stored('w')).map((o) => o.event.event)).toEqual(['run_end']);
    expect((await runtime.submitInput('w', textInput('back again'))).outcome).toBe('accepted');
    await runtime.shutdown();
    expect(restored!.signal.aborted).toBe(true);
  });

  it('a live context cannot report a restore; a lost one may refine why, and still cannot publish', async () => {
    const hostile = new HostileBackend({ stop: doneAnswer });
    const { runtime } = hostileRuntime([hostile]);
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    const context = hostile.context('w');
    const before = runtime.get('w');
    expect(context.reportRestored('busy')).toBeUndefined();
    expect(runtime.get('w')).toEqual(before);
    context.reportLost(LOST);
    context.reportLost({ code: 'process_exited', severity: 'error', message: 'exit code 3' });
    expect(runtime.get('w')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'process_exited' } });
    expect(await context.publish({ event: 'text_delta', data: { text: 'x' } })).toMatchObject({ ok: false, reason: 'revoked' });
    await runtime.stop('w');
    context.reportLost({ code: 'later', severity: 'error', message: 'after stop' });
    expect(runtime.get('w')).toMatchObject({ state: 'stopped', diagnostic: null });
    await runtime.shutdown();
  });

  it('a restore reported after the Worker was stopped hands out nothing', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const context = fake.contextOf('w')!;
    context.reportLost(LOST);
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(context.reportRestored('idle')).toBeUndefined();
    expect(runtime.get('w')?.state).toBe('stopped');
  });

  it('the FAKE backend reconnects through the new context', async () => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    fake.disconnect('w');
    expect(runtime.get('w')?.state).toBe('unavailable');
    expect(await fake.publish('w', { event: 'text_delta', data: { text: 'lost' } })).toMatchObject({ ok: false, reason: 'revoked' });
    expect(fake.reconnect('w')).toBe(true);
    expect(runtime.get('w')?.state).toBe('idle');
    expect(await fake.publish('w', { event: 'text_delta', data: { text: 'back' } })).toMatchObject({ ok: true });
    expect((await stored('w')).map((o) => o.event.data?.text)).toEqual(['back']);
  });
});
