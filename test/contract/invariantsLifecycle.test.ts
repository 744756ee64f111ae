import { describe, expect, it } from 'vitest';
import { toBrowserFrame } from '../../src/domain/browserFrame.js';
import { textInput } from '../../src/domain/workerInput.js';
import type { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { eventually, takeUntil } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

const NONE = { stop: false, cancel: false, method: false, snapshot: false, restore: false };

describe('invariant 8: unsupported is typed and harmless; cancel and stop have deadlines', () => {
  it('stop, cancel, method and snapshot a backend cannot do are unsupported and change nothing', async () => {
    const { runtime } = fixture({ fake: { capabilities: NONE } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('#hold'));
    const before = runtime.get('w');
    const lifecycle = runtime.lifecycle();
    const results = [
      await runtime.stop('w'),
      await runtime.cancel('w'),
      await runtime.invokeMethod('w', { method: 'pause' }),
      (await runtime.snapshot('w')).result,
    ];
    for (const result of results) expect([result.outcome, result.reason, result.state]).toEqual(['unsupported', 'operation_unsupported', 'busy']);
    expect(runtime.get('w')).toEqual(before);
    lifecycle.close();
    expect(await takeUntil(lifecycle as never, () => false, 100)).toEqual([]);
  });

  it('a cancel the backend never answers is errored cancel_timeout, not a hang', async () => {
    const { runtime, fake } = fixture({ runtime: { deadlines: { cancelMs: 30 } } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('#hold'));
    fake.once('cancel', 'hang');
    const started = Date.now();
    expect(await runtime.cancel('w')).toMatchObject({ outcome: 'errored', reason: 'cancel_timeout', state: 'busy' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a stop the backend does not answer in time is errored stop_timeout, not stuck stopping; its late answer is reconciled', async () => {
    const { runtime, fake } = fixture({ runtime: { deadlines: { stopMs: 30 } } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    fake.once('stop', { delayMs: 120, then: 'done' });
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'errored', reason: 'stop_timeout', state: 'errored' });
    expect(runtime.get('w')?.diagnostic?.code).toBe('stop_timeout');
    // A deadline is not an answer: no second stop goes out while the first is outstanding.
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'busy', reason: 'call_outstanding', state: 'errored' });
    expect(fake.calls.filter((c) => c.operation === 'stop')).toHaveLength(1);
    expect(await eventually(() => runtime.get('w')?.state === 'stopped', 2_000)).toBe(true);
    expect(fake.live).toEqual([]);
  });
});

describe('invariant 9: create is reserve, spawn, commit', () => {
  it.each([
    ['reject', 'rejected', 'spawn_rejected', 'fake_spawn_rejected'],
    ['throw', 'errored', 'spawn_failed', 'spawn_failed'],
    ['hang', 'errored', 'spawn_timeout', 'spawn_timeout'],
    ['invalid', 'errored', 'backend_protocol_error', 'backend_protocol_error'],
  ] as const)('a spawn that does %s leaves an unavailable Worker with a diagnostic and no handle', async (behaviour, outcome, reason, code) => {
    const { runtime, fake } = fixture({ runtime: { deadlines: { spawnMs: 30 } } });
    fake.once('spawn', behaviour);
    const { result, worker } = await runtime.create({ workerId: 'w', profile: 'fake' });
    expect([result.outcome, result.reason]).toEqual([outcome, reason]);
    expect(worker).toMatchObject({ state: 'unavailable', diagnostic: { code } });
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(fake.calls.filter((c) => c.operation === 'stop')).toEqual([]);
  });

  it('a spawn that answers ready after its deadline is stopped, never orphaned', async () => {
    const { runtime, fake } = fixture({ runtime: { deadlines: { spawnMs: 20 } } });
    fake.once('spawn', { delayMs: 80, then: 'ready' });
    const { worker } = await runtime.create({ workerId: 'w', profile: 'fake' });
    expect(worker?.state).toBe('unavailable');
    expect(await eventually(() => fake.calls.some((c) => c.operation === 'stop'), 2_000)).toBe(true);
    expect(fake.live).toEqual([]);
  });

  it('is starting, never connected, while the spawn is in flight', async () => {
    const { runtime } = fixture({ fake: { behaviours: { spawn: { delayMs: 30, then: 'ready' } } } });
    const creating = runtime.create({ workerId: 'w', profile: 'fake' });
    expect(runtime.get('w')?.state).toBe('starting');
    expect((await creating).worker?.state).toBe('idle');
  });

  it('a Runtime with no backend creates only unavailable Workers', async () => {
    const { runtime } = fixture();
    const { result, worker } = await runtime.create({ workerId: 'w', profile: 'none' });
    expect([result.outcome, result.reason]).toEqual(['rejected', 'execution_unavailable']);
    expect(worker).toMatchObject({ state: 'unavailable', diagnostic: { code: 'backend_not_configured' } });
  });

  it('is idempotent on a caller-supplied id; the same id with another profile conflicts', async () => {
    const { runtime, fake } = fixture();
    const first = await runtime.create({ workerId: 'w', profile: 'fake' });
    const again = await runtime.create({ workerId: 'w', profile: 'fake' });
    const other = await runtime.create({ workerId: 'w', profile: 'other' });
    expect([first.result.reason, again.result.reason, other.result.reason]).toEqual(['created', 'already_exists', 'create_conflict']);
    expect(other.result.outcome).toBe('rejected');
    expect(fake.calls.filter((c) => c.operation === 'spawn')).toHaveLength(1);
  });

  it('an unknown profile or a bad id creates nothing', async () => {
    const { runtime } = fixture();
    expect((await runtime.create({ workerId: 'w', profile: 'nope' })).result.reason).toBe('profile_unknown');
    expect((await runtime.create({ workerId: '../etc', profile: 'fake' })).result.reason).toBe('invalid_request');
    expect(runtime.list()).toEqual([]);
  });
});

describe('invariant 10: nothing internal reaches a browser', () => {
  it('handle, diagnostics, snapshot cwd and error messages are kept out of every browser-bound output', async () => {
    const secret = 'SECRETMARKER9f3a';
    const { runtime, fake } = fixture({ fake: { handleSecret: secret } });
    fake.once('spawn', 'ready');
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const observed = runtime.observe('w');
    if (!observed.ok) throw new Error('observe');
    const ctx = fake.contextOf('w')!;
    await ctx.publish({ event: 'error', data: { code: 'internal', message: `failed at /run/user/0/${secret}.sock with API_KEY=${secret}` } });
    await ctx.publish({ event: 'alert', data: { level: 'warn', source: 'x', message: `token sk-${secret}${secret}`, timestamp_ms: 1 } });
    await ctx.publish({
      event: 'snapshot',
      data: { entries: [], status: 'idle', greeting: { worker_name: 'w', cwd: `/home/${secret}`, provider: 'p', model: 'm' } },
    });
    const snapshot = await runtime.snapshot('w');
    fake.crash('w', 'process_exited', `exited; session at /var/lib/${secret}/s.jsonl pid 4242`);
    const frames = await takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'snapshot');
    const transcript = await runtime.transcript('w');
    const outputs = [runtime.list(), runtime.get('w'), runtime.summary(), snapshot, frames.map(toBrowserFrame), transcript];
    const text = JSON.stringify(outputs);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('4242');
    expect(text).toContain('process_exited');
  });
});

describe('invariant 13: shutdown is clean', () => {
  it('stops live executions through the backend, ends subscriptions with a final frame, refuses new work', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'a', profile: 'fake' });
    await runtime.create({ workerId: 'b', profile: 'fake' });
    await runtime.submitInput('b', textInput('#hold'));
    const observed = runtime.observe('a');
    const lifecycle = runtime.lifecycle();
    if (!observed.ok) throw new Error('observe');
    await runtime.shutdown();
    expect(fake.live).toEqual([]);
    expect(fake.calls.filter((c) => c.operation === 'stop').map((c) => c.workerId).sort()).toEqual(['a', 'b']);
    expect((await takeUntil(observed.subscription, (f) => f.type === 'end')).at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
    expect((await takeUntil(lifecycle as never, (f: { type: string }) => f.type === 'end')).at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
    expect((await runtime.create({ profile: 'fake' })).result.reason).toBe('runtime_stopped');
    expect((await runtime.submitInput('a', textInput('x'))).reason).toBe('runtime_stopped');
    expect(runtime.summary().state).toBe('stopped');
  });

  it('a backend whose stop hangs cannot hold shutdown past the stop deadline', async () => {
    const { runtime, fake } = fixture({ runtime: { deadlines: { stopMs: 40 } } });
    await runtime.create({ workerId: 'a', profile: 'fake' });
    fake.behave({ stop: 'hang' });
    const started = Date.now();
    await runtime.shutdown();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(runtime.get('a')?.state).toBe('errored');
  });

  it('waits for a create in flight and stops what it started', async () => {
    const { runtime, fake } = fixture({ fake: { behaviours: { spawn: { delayMs: 30, then: 'ready' } } } });
    const creating = runtime.create({ workerId: 'a', profile: 'fake' });
    await runtime.shutdown();
    expect((await creating).result.reason).toBe('runtime_stopped');
    expect(fake.live).toEqual([]);
  });
});

describe('invariant 14: backends cannot wedge the Runtime', () => {
  it('a hanging, throwing or nonsensical backend errors for its own Worker only', async () => {
    const { runtime, fake, other } = fixture({ runtime: { deadlines: { dispatchMs: 40 } } });
    await runtime.create({ workerId: 'bad', profile: 'fake' });
    await runtime.create({ workerId: 'good', profile: 'other' });
    fake.once('dispatch', { delayMs: 150, then: 'accept' });
    const hanging = runtime.submitInput('bad', textInput('x'));
    expect((await runtime.submitInput('good', textInput('y'))).outcome).toBe('accepted');
    expect(await hanging).toMatchObject({ outcome: 'errored', reason: 'dispatch_timeout', state: 'busy' });
    // The late commit is reconciled: its run plays out and the Worker is idle again.
    expect(await eventually(() => runtime.get('bad')?.diagnostic?.code === 'input_committed_late', 2_000)).toBe(true);
    expect(await eventually(() => runtime.get('bad')?.state === 'idle', 2_000)).toBe(true);
    fake.once('dispatch', 'throw');
    expect(await runtime.submitInput('bad', textInput('x'))).toMatchObject({ outcome: 'errored', reason: 'backend_error' });
    fake.once('dispatch', 'invalid');
    expect(await runtime.submitInput('bad', textInput('x'))).toMatchObject({ outcome: 'errored', reason: 'backend_protocol_error' });
    expect(other.dispatches).toHaveLength(1);
    expect(await eventually(() => runtime.get('good')?.state === 'idle')).toBe(true);
    expect((await runtime.submitInput('bad', textInput('now fine'))).outcome).toBe('accepted');
  });

  it('a backend that throws synchronously is contained', async () => {
    const explosive: ExecutionBackendPort = {
      backendId: 'explosive',
      spawn: () => {
        throw new Error('kaboom at /opt/secret/path');
      },
      dispatchInput: () => {
        throw new Error('kaboom');
      },
    };
    const { runtime } = fixture({ extra: [explosive] });
    const { result, worker } = await runtime.create({ workerId: 'x', profile: 'explosive' });
    expect(result).toMatchObject({ outcome: 'errored', reason: 'spawn_failed' });
    expect(worker?.state).toBe('unavailable');
    expect(JSON.stringify(result)).not.toContain('/opt/secret');
  });
});
