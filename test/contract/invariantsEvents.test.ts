import { describe, expect, it } from 'vitest';
import { WorkerProjectionSchema } from '../../src/domain/projection.js';
import { textInput } from '../../src/domain/workerInput.js';
import { sequences, takeFrames, takeUntil } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

describe('invariant 2: the Runtime authors no protocol events', () => {
  it('create, input, cancel, stop and shutdown on a silent backend leave the protocol stream empty', async () => {
    // The fake's own cancel publishes run_end (as a backend should); this one cannot cancel, so nothing is published.
    const { runtime, stored } = fixture({ fake: { script: () => [], capabilities: { cancel: false } } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.create({ workerId: 'off', profile: 'none' });
    await runtime.submitInput('w', textInput('hello, echo me'));
    await runtime.submitInput('off', textInput('hello?'));
    await runtime.cancel('w');
    await runtime.stop('w');
    await runtime.shutdown();
    expect(await stored('w')).toEqual([]);
    expect(await stored('off')).toEqual([]);
  });

  it('lifecycle facts go on the separate lifecycle stream', async () => {
    const { runtime, stored } = fixture({ fake: { script: () => [] } });
    const lifecycle = runtime.lifecycle();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.stop('w');
    await runtime.remove('w');
    const frames = await takeUntil(lifecycle as never, (f: { type: string; change?: { type: string } }) => f.change?.type === 'worker_removed');
    const types = frames.map((f) => (f as unknown as { change: { type: string; worker: { state: string } } }).change);
    // The fake answers stop at once: `stopping` is not announced for a stop settled within the turn.
    expect(types.map((c) => c.type)).toEqual(['worker_created', 'worker_changed', 'worker_changed', 'worker_removed']);
    expect(types.map((c) => c.worker.state)).toEqual(['starting', 'idle', 'stopped', 'stopped']);
    expect(await stored('w')).toEqual([]);
  });

  it('a stop that takes a while is announced as stopping first', async () => {
    const { runtime } = fixture({ fake: { script: () => [], behaviours: { stop: { delayMs: 20, then: 'done' } } } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const lifecycle = runtime.lifecycle();
    await runtime.stop('w');
    const frames = await takeUntil(lifecycle as never, (f: { type: string; change?: { worker: { state: string } } }) => f.change?.worker.state === 'stopped');
    expect(frames.map((f) => (f as unknown as { change: { worker: { state: string } } }).change.worker.state)).toEqual(['stopping', 'stopped']);
  });

  it('the user message appears once: from the backend, never echoed by the Runtime', async () => {
    const { runtime, stored } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('only once'));
    await new Promise((r) => setTimeout(r, 20));
    expect((await stored('w')).filter((o) => o.event.event === 'user_message')).toHaveLength(1);
  });
});

describe('invariant 3: observation and transcript are part of every Worker', () => {
  it('no projection or summary carries capability flags', async () => {
    const { runtime } = fixture({ fake: { capabilities: { stop: false, cancel: false, method: false, snapshot: false, restore: false } } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const text = JSON.stringify([runtime.list(), runtime.summary()]);
    expect(text).not.toMatch(/"can[A-Z]/);
    expect(Object.keys(WorkerProjectionSchema.shape).some((k) => /^can[A-Z]/.test(k))).toBe(false);
  });

  it('the transcript is derived from the observation stream, the one source of truth', async () => {
    const { runtime, bus } = fixture({ fake: { script: () => [] } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const ref = { runtimeId: runtime.runtimeId, workerId: 'w' };
    await bus.publish(ref, { event: 'user_message', data: { segments: [{ kind: 'text', content: 'hi' }] } });
    await bus.publish(ref, { event: 'text_delta', data: { text: 'hel' } });
    await bus.publish(ref, { event: 'text_delta', data: { text: 'lo' } });
    const transcript = await runtime.transcript('w');
    expect(transcript.ok && transcript.entries.map((e) => [e.kind, 'text' in e ? e.text : null])).toEqual([
      ['user', null],
      ['assistant', 'hello'],
    ]);
  });

  it('a Worker without a backend can still be observed and has an (empty) transcript', async () => {
    const { runtime } = fixture();
    await runtime.create({ workerId: 'off', profile: 'none' });
    expect(runtime.observe('off').ok).toBe(true);
    expect(await runtime.transcript('off')).toEqual({ ok: true, entries: [], complete: true });
  });
});

describe('invariant 11: the publish hook is guarded', () => {
  it('a context publishes only for its own Worker', async () => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'a', profile: 'fake' });
    await runtime.create({ workerId: 'b', profile: 'fake' });
    const ctx = fake.contextOf('a')!;
    expect(ctx.worker).toEqual({ runtimeId: runtime.runtimeId, workerId: 'a' });
    await ctx.publish({ event: 'text_delta', data: { text: 'for a' }, worker: 'b' });
    expect(await stored('b')).toEqual([]);
  });

  it('invalid and oversized events are refused with a typed result and publish nothing', async () => {
    const { runtime, fake, stored } = fixture({ runtime: { maxEventBytes: 2048 } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const ctx = fake.contextOf('w')!;
    expect(await ctx.publish({ event: 'text_delta', data: { text: 42 } })).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(await ctx.publish({ event: 'Not-Snake' })).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(await ctx.publish('nonsense')).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(await ctx.publish({ event: 'text_delta', data: { text: 'x'.repeat(4096) } })).toMatchObject({ ok: false, reason: 'too_large' });
    expect(await ctx.publish({ event: 'future_event', data: { anything: [1] } })).toMatchObject({ ok: true });
    expect((await stored('w')).map((o) => o.event.event)).toEqual(['future_event']);
  });

  it('stopping revokes the context; a stale context cannot write into a recreated Worker', async () => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const stale = fake.contextOf('w')!;
    await runtime.stop('w');
    expect(stale.signal.aborted).toBe(true);
    expect(await stale.publish({ event: 'text_delta', data: { text: 'late' } })).toMatchObject({ ok: false, reason: 'revoked' });
    await runtime.remove('w');
    const recreated = await runtime.create({ workerId: 'w', profile: 'fake' });
    expect(recreated.worker?.runGeneration).toBe(2);
    expect(await stale.publish({ event: 'text_delta', data: { text: 'alias?' } })).toMatchObject({ ok: false, reason: 'revoked' });
    expect(await stored('w')).toEqual([]);
  });

  it('the stored event is a copy: mutating the published object later changes nothing', async () => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const event = { event: 'text_delta', data: { text: 'original' } };
    await fake.contextOf('w')!.publish(event);
    event.data.text = 'mutated';
    expect((await stored('w'))[0]?.event.data).toEqual({ text: 'original' });
  });
});

describe('invariant 12: observation delivery is exact', () => {
  it('resume after a cursor through the Runtime: every later event once, in order, across the live switch', async () => {
    const { runtime, fake } = fixture({ fake: { runMode: 'manual' } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const ctx = fake.contextOf('w')!;
    const cursors: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const r = await ctx.publish({ event: 'text_delta', data: { text: `${i}` } });
      if (r.ok) cursors.push(r.cursor);
    }
    const observed = runtime.observe('w', { after: cursors[1] });
    if (!observed.ok) throw new Error('observe');
    const replay = await takeFrames(observed.subscription, 3);
    for (let i = 6; i <= 8; i++) await ctx.publish({ event: 'text_delta', data: { text: `${i}` } });
    const live = await takeFrames(observed.subscription, 3);
    expect(sequences([...replay, ...live])).toEqual([3, 4, 5, 6, 7, 8]);
    expect(replay.every((f) => f.type === 'observation' && f.replayed)).toBe(true);
    expect(live.every((f) => f.type === 'observation' && !f.replayed)).toBe(true);
  });

  it('expired, reset and lagged are explicit frames; a malformed cursor is a typed rejection', async () => {
    const { runtime, fake } = fixture({ retention: 4, queue: 2 });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.create({ workerId: 'v', profile: 'fake' });
    const first = await fake.contextOf('w')!.publish({ event: 'text_delta', data: { text: '1' } });
    for (let i = 2; i <= 9; i++) await fake.contextOf('w')!.publish({ event: 'text_delta', data: { text: `${i}` } });
    const foreign = await fake.contextOf('v')!.publish({ event: 'text_delta', data: { text: 'v' } });
    const expired = runtime.observe('w', { after: first.ok ? first.cursor : '' });
    const reset = runtime.observe('w', { after: foreign.ok ? foreign.cursor : '' });
    if (!expired.ok || !reset.ok) throw new Error('observe');
    expect((await takeFrames(expired.subscription, 1))[0]).toMatchObject({ type: 'expired' });
    expect((await takeFrames(reset.subscription, 1))[0]).toMatchObject({ type: 'reset' });
    const slow = runtime.observe('v');
    if (!slow.ok) throw new Error('observe');
    for (let i = 0; i < 5; i++) await fake.contextOf('v')!.publish({ event: 'text_delta', data: { text: `${i}` } });
    const frames = await takeUntil(slow.subscription, (f) => f.type === 'end');
    expect(frames.map((f) => f.type).slice(-2)).toEqual(['lagged', 'end']);
    expect(runtime.observe('w', { after: 'garbage' })).toMatchObject({ ok: false, result: { reason: 'invalid_request' } });
    expect(runtime.observe('nobody')).toMatchObject({ ok: false, result: { reason: 'worker_not_found' } });
  });
});
