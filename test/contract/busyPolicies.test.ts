import { describe, expect, it } from 'vitest';
import type { LifecycleItem } from '../../src/application/lifecycleFeed.js';
import type { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { OperationResultSchema, outcomeOf } from '../../src/domain/executionResult.js';
import { LifecycleChangeSchema } from '../../src/domain/projection.js';
import { textInput, type WorkerInput } from '../../src/domain/workerInput.js';
import { eventually } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

/** Busy policies over the FAKE backend: reject (the default), enqueue, interrupt, per profile and per request. */
const profiles = {
  queued: { backend: 'fake', busy: { policy: 'enqueue' as const, queueLimit: 3 } },
  interrupting: { backend: 'fake', busy: { policy: 'interrupt' as const } },
  choosy: { backend: 'fake', busy: { allow: ['enqueue' as const] } },
  aging: { backend: 'fake', busy: { policy: 'enqueue' as const, maxAgeMs: 60 } },
  'cannot-cancel': { backend: 'other', busy: { policy: 'interrupt' as const } },
  unstoppable: { backend: 'other', busy: { policy: 'enqueue' as const } },
  both: { backend: 'fake', busy: { policy: 'enqueue' as const, allow: ['interrupt' as const] } },
};

function setup(options: Parameters<typeof fixture>[0] = {}) {
  const f = fixture({ ...options, other: { capabilities: { cancel: false, stop: false }, ...options.other }, runtime: { ...options.runtime, profiles } });
  const changes: LifecycleItem[] = [];
  const lifecycle = f.runtime.lifecycle();
  void (async () => {
    for await (const frame of lifecycle) changes.push(frame);
  })();
  const settledOf = (id: string) =>
    changes.flatMap((c) => (c.type === 'lifecycle' && c.change.type === 'input_settled' && c.change.settlement.submissionId === id ? [c.change.settlement] : []));
  return { ...f, changes, settledOf };
}

const userTexts = (_runtime: WorkerRuntime, dispatches: { input: WorkerInput }[]) =>
  dispatches.map((d) => (d.input.kind === 'user' && 'content' in d.input.segments[0]! ? String(d.input.segments[0].content) : '?'));

describe('busy policy reject (the default)', () => {
  it('input to a busy Worker is busy run_in_flight; nothing is queued', async () => {
    const { runtime, fake } = setup();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('#hold one'));
    expect(await runtime.submitInput('w', textInput('two'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    expect(runtime.queue('w')).toMatchObject({ ok: true, queue: { busyPolicy: 'reject', busyPolicies: ['reject'], entries: [] } });
    expect(runtime.get('w')?.queue).toEqual({ length: 0, busyPolicy: 'reject' });
    expect(fake.dispatches).toHaveLength(1);
    await runtime.shutdown();
  });
});

describe('busy policy enqueue', () => {
  it('answers queued with a submission id and position, then dispatches in order, one at a time, each committed once', async () => {
    const { runtime, fake, settledOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    expect(runtime.get('w')?.queue).toEqual({ length: 0, busyPolicy: 'enqueue' });
    expect(await runtime.submitInput('w', textInput('#hold first'))).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    const second = await runtime.submitInput('w', textInput('second'));
    const third = await runtime.submitInput('w', textInput('third'));
    for (const [result, position] of [[second, 1], [third, 2]] as const) {
      expect(OperationResultSchema.parse(result)).toEqual(result);
      expect(result).toMatchObject({ operation: 'input', outcome: 'queued', reason: 'enqueued', state: 'busy', position });
      expect(outcomeOf(result.reason)).toBe('queued');
    }
    expect(second.submissionId).not.toBe(third.submissionId);
    expect(runtime.get('w')?.queue.length).toBe(2);
    const queue = runtime.queue('w');
    expect(queue.ok && queue.queue.entries.map((e) => [e.submissionId, e.position, e.state])).toEqual([
      [second.submissionId, 1, 'queued'],
      [third.submissionId, 2, 'queued'],
    ]);
    expect(runtime.submission('w', third.submissionId!)).toMatchObject({ ok: true, submission: { status: 'queued', position: 2 } });
    expect(fake.dispatches).toHaveLength(1); // nothing more while the first runs
    await fake.finishRun('w');
    expect(await eventually(() => fake.dispatches.length === 3 && runtime.get('w')?.state === 'idle')).toBe(true);
    expect(userTexts(runtime, fake.dispatches)).toEqual(['#hold first', 'second', 'third']);
    expect(fake.dispatches.map((d) => d.submissionId).slice(1)).toEqual([second.submissionId, third.submissionId]);
    for (const result of [second, third]) {
      expect(runtime.submission('w', result.submissionId!)).toMatchObject({ ok: true, submission: { status: 'settled', settlement: { outcome: 'committed', reason: 'committed' } } });
      expect(await eventually(() => settledOf(result.submissionId!).length === 1)).toBe(true);
    }
    expect(runtime.get('w')?.queue.length).toBe(0);
    await runtime.shutdown();
  });

  it('a bounded queue: beyond queueLimit busy queue_full, nothing queued', async () => {
    const { runtime } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    for (let i = 0; i < 3; i++) expect(await runtime.submitInput('w', textInput(`q${i}`))).toMatchObject({ outcome: 'queued' });
    expect(await runtime.submitInput('w', textInput('one too many'))).toMatchObject({ outcome: 'busy', reason: 'queue_full' });
    expect(runtime.get('w')?.queue.length).toBe(3);
    await runtime.shutdown();
  });

  it('a queued input can be cancelled before it is dispatched; it ends cancelled, once, and is never dispatched', async () => {
    const { runtime, fake, settledOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    const a = await runtime.submitInput('w', textInput('a'));
    const b = await runtime.submitInput('w', textInput('b'));
    expect(await runtime.cancelQueued('w', a.submissionId!)).toMatchObject({ operation: 'dequeue', outcome: 'accepted', reason: 'cancelled' });
    expect(await runtime.cancelQueued('w', a.submissionId!)).toMatchObject({ outcome: 'rejected', reason: 'submission_settled' });
    expect(await runtime.cancelQueued('w', 'no-such-id')).toMatchObject({ outcome: 'rejected', reason: 'submission_not_found' });
    expect(runtime.submission('w', b.submissionId!)).toMatchObject({ ok: true, submission: { position: 1 } });
    await fake.finishRun('w');
    expect(await eventually(() => fake.dispatches.length === 2)).toBe(true);
    expect(userTexts(runtime, fake.dispatches)).toEqual(['#hold', 'b']);
    expect(settledOf(a.submissionId!)).toEqual([expect.objectContaining({ outcome: 'cancelled', reason: 'cancelled' })]);
    await runtime.shutdown();
  });

  it('an age limit: an input that waits longer than maxAgeMs ends expired while the Worker stays busy', async () => {
    const { runtime, fake, settledOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'aging' });
    await runtime.submitInput('w', textInput('#hold'));
    const old = await runtime.submitInput('w', textInput('will expire'));
    expect(await eventually(() => settledOf(old.submissionId!).length === 1, 3_000)).toBe(true);
    expect(settledOf(old.submissionId!)[0]).toMatchObject({ outcome: 'expired', reason: 'max_age' });
    expect(runtime.get('w')).toMatchObject({ state: 'busy', queue: { length: 0 } });
    await fake.finishRun('w');
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect(fake.dispatches).toHaveLength(1);
    await runtime.shutdown();
  });

  it('a queued input the backend refuses ends rejected with the reason; the queue goes on', async () => {
    const { runtime, fake, settledOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    const refused = await runtime.submitInput('w', textInput('refused'));
    const next = await runtime.submitInput('w', textInput('next'));
    fake.once('dispatch', 'reject');
    await fake.finishRun('w');
    expect(await eventually(() => settledOf(next.submissionId!).length === 1)).toBe(true);
    expect(settledOf(refused.submissionId!)).toEqual([expect.objectContaining({ outcome: 'rejected', reason: 'backend_rejected' })]);
    expect(settledOf(next.submissionId!)).toEqual([expect.objectContaining({ outcome: 'committed' })]);
    await runtime.shutdown();
  });

  it('stopping or removing the Worker settles what it still queues (cancelled, worker_stopped / worker_removed)', async () => {
    const { runtime, settledOf } = setup();
    await runtime.create({ workerId: 's', profile: 'queued' });
    await runtime.create({ workerId: 'r', profile: 'unstoppable' }); // removed without a stop: released
    for (const id of ['s', 'r']) await runtime.submitInput(id, textInput('#hold'));
    const s = await runtime.submitInput('s', textInput('queued on s'));
    const r = await runtime.submitInput('r', textInput('queued on r'));
    expect(r).toMatchObject({ outcome: 'queued' });
    await runtime.stop('s');
    expect(settledOf(s.submissionId!)).toEqual([expect.objectContaining({ outcome: 'cancelled', reason: 'worker_stopped' })]);
    expect(await runtime.remove('r')).toMatchObject({ reason: 'removed' });
    expect(settledOf(r.submissionId!)).toEqual([expect.objectContaining({ outcome: 'cancelled', reason: 'worker_removed' })]);
    await runtime.shutdown();
  });

  it('shutdown with the memory queue settles what is queued: cancelled, runtime_stopped', async () => {
    const { runtime, settledOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    const q = await runtime.submitInput('w', textInput('queued'));
    expect(runtime.queue('w')).toMatchObject({ ok: true, queue: { durable: false } });
    await runtime.shutdown();
    expect(settledOf(q.submissionId!)).toEqual([expect.objectContaining({ outcome: 'cancelled', reason: 'runtime_stopped' })]);
  });

  it('an idempotency key covers a queued input: a repeat gets the queued outcome again, not a second entry', async () => {
    const { runtime, fake } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    const first = await runtime.submitInput('w', textInput('once'), { idempotencyKey: 'k-1' });
    const again = await runtime.submitInput('w', textInput('once'), { idempotencyKey: 'k-1' });
    expect(again).toEqual(first);
    expect(await runtime.submitInput('w', textInput('another'), { idempotencyKey: 'k-1' })).toMatchObject({ outcome: 'rejected', reason: 'idempotency_conflict' });
    expect(runtime.get('w')?.queue.length).toBe(1);
    await fake.finishRun('w');
    expect(await eventually(() => fake.dispatches.length === 2 && runtime.get('w')?.state === 'idle')).toBe(true);
    // Settled: a repeat still names the same submission and dispatches nothing.
    expect(await runtime.submitInput('w', textInput('once'), { idempotencyKey: 'k-1' })).toMatchObject({ outcome: 'queued', submissionId: first.submissionId });
    expect(fake.dispatches).toHaveLength(2);
    await runtime.shutdown();
  });

  it('every lifecycle change parses; queue changes carry the projection with its queue length', async () => {
    const { runtime, fake, changes } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    await runtime.submitInput('w', textInput('q'));
    await fake.finishRun('w');
    expect(await eventually(() => changes.some((c) => c.type === 'lifecycle' && c.change.type === 'input_settled'))).toBe(true);
    const queueChanges = changes.flatMap((c) => (c.type === 'lifecycle' ? [LifecycleChangeSchema.parse(c.change)] : [])).filter((c) => c.type.startsWith('input_'));
    expect(queueChanges.map((c) => [c.type, c.worker.queue.length])).toEqual([
      ['input_queued', 1],
      ['input_settled', 0],
    ]);
    await runtime.shutdown();
  });
});

describe('busy policy per request, where the profile allows it', () => {
  it('a profile that allows enqueue queues on request; reject stays its default; what it does not allow is policy_not_allowed', async () => {
    const { runtime } = setup();
    await runtime.create({ workerId: 'w', profile: 'choosy' });
    await runtime.submitInput('w', textInput('#hold'));
    expect(runtime.queue('w')).toMatchObject({ ok: true, queue: { busyPolicy: 'reject', busyPolicies: ['reject', 'enqueue'] } });
    expect(await runtime.submitInput('w', textInput('no policy'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    expect(await runtime.submitInput('w', textInput('queue me'), { busyPolicy: 'enqueue' })).toMatchObject({ outcome: 'queued', position: 1 });
    expect(await runtime.submitInput('w', textInput('interrupt'), { busyPolicy: 'interrupt' })).toMatchObject({ outcome: 'rejected', reason: 'policy_not_allowed' });
    expect(await runtime.submitInput('w', textInput('x'), { busyPolicy: 'sideways' } as never)).toMatchObject({ outcome: 'rejected', reason: 'invalid_request' });
    await runtime.shutdown();
  });

  it('reject is always allowed: an enqueue profile answers busy to a request that asks not to wait', async () => {
    const { runtime } = setup();
    await runtime.create({ workerId: 'w', profile: 'queued' });
    await runtime.submitInput('w', textInput('#hold'));
    expect(await runtime.submitInput('w', textInput('do not wait'), { busyPolicy: 'reject' })).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    await runtime.shutdown();
  });
});

describe('busy policy interrupt', () => {
  it('cancels the current run through the backend and dispatches the new input once the Worker is idle', async () => {
    const { runtime, fake, settledOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'interrupting' });
    expect(await runtime.submitInput('w', textInput('#hold long'))).toMatchObject({ reason: 'committed' });
    const result = await runtime.submitInput('w', textInput('now this'));
    expect(result).toMatchObject({ outcome: 'queued', reason: 'interrupting', position: 1 });
    expect(fake.calls.filter((c) => c.operation === 'cancel')).toHaveLength(1);
    expect(await eventually(() => fake.dispatches.length === 2)).toBe(true);
    expect(userTexts(runtime, fake.dispatches)).toEqual(['#hold long', 'now this']);
    expect(await eventually(() => settledOf(result.submissionId!).length === 1)).toBe(true);
    expect(settledOf(result.submissionId!)[0]).toMatchObject({ outcome: 'committed' });
    await runtime.shutdown();
  });

  it('an interrupt goes ahead of inputs already queued', async () => {
    const { runtime, fake } = setup();
    await runtime.create({ workerId: 'w', profile: 'both' });
    await runtime.submitInput('w', textInput('#hold run'));
    await runtime.submitInput('w', textInput('queued 1'));
    await runtime.submitInput('w', textInput('queued 2'));
    expect(await runtime.submitInput('w', textInput('urgent'), { busyPolicy: 'interrupt' })).toMatchObject({ outcome: 'queued', reason: 'interrupting', position: 1 });
    expect(await eventually(() => fake.dispatches.length === 4 && runtime.get('w')?.state === 'idle')).toBe(true);
    expect(userTexts(runtime, fake.dispatches)).toEqual(['#hold run', 'urgent', 'queued 1', 'queued 2']);
    await runtime.shutdown();
  });

  it('unsupported where the backend cannot cancel: nothing queued, the run goes on', async () => {
    const { runtime, other } = setup();
    await runtime.create({ workerId: 'w', profile: 'cannot-cancel' });
    await runtime.submitInput('w', textInput('#hold'));
    expect(await runtime.submitInput('w', textInput('stop that'))).toMatchObject({ outcome: 'unsupported', reason: 'operation_unsupported', state: 'busy' });
    expect(runtime.get('w')?.queue.length).toBe(0);
    expect(other.dispatches).toHaveLength(1);
    await runtime.shutdown();
  });

  it('a cancel the backend refuses or does not answer in time: the input gets that typed result and is not queued', async () => {
    const { runtime, fake } = setup({ runtime: { deadlines: { cancelMs: 40 } } });
    await runtime.create({ workerId: 'w', profile: 'interrupting' });
    await runtime.submitInput('w', textInput('#hold'));
    fake.once('cancel', 'reject');
    expect(await runtime.submitInput('w', textInput('a'))).toMatchObject({ outcome: 'rejected', reason: 'backend_rejected', state: 'busy' });
    fake.once('cancel', 'hang');
    expect(await runtime.submitInput('w', textInput('b'))).toMatchObject({ outcome: 'errored', reason: 'cancel_timeout' });
    expect(await runtime.submitInput('w', textInput('c'))).toMatchObject({ outcome: 'busy', reason: 'call_outstanding' });
    expect(runtime.get('w')?.queue.length).toBe(0);
    expect(fake.dispatches).toHaveLength(1);
    await runtime.shutdown();
  });

  it('an idle Worker takes interrupting input directly (nothing to cancel)', async () => {
    const { runtime, fake } = setup();
    await runtime.create({ workerId: 'w', profile: 'interrupting' });
    expect(await runtime.submitInput('w', textInput('hi'))).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    expect(fake.calls.filter((c) => c.operation === 'cancel')).toHaveLength(0);
    await runtime.shutdown();
  });
});
