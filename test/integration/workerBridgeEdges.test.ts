import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessLogEntry } from '../../src/adapters/process/processLog.js';
import { WorkerBridgeExecutionBackend } from '../../src/adapters/workerBridge/workerBridgeExecutionBackend.js';
import { toBrowserFrame } from '../../src/domain/browserFrame.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { textInput } from '../../src/domain/workerInput.js';
import { WorkerMethodSchema, type WorkerMethod } from '../../src/domain/workerMethod.js';
import type { ExecutionHandle } from '../../src/ports/executionBackendPort.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';
import { eventually, takeUntil } from '../../src/testing/index.js';
import { bridgeRuntime, runTurn, testWorkerOptions } from '../support/bridgeWorkerFixture.js';

// Worker-bridge edge cases: the bridge's own diagnostics are never the worker's answer, echoes are
// parsed leniently, host paths are stripped wherever a greeting appears, methods wait for the answer.
let current: ReturnType<typeof bridgeRuntime> | null = null;
const start = (...args: Parameters<typeof bridgeRuntime>) => (current = bridgeRuntime(...args));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function recordingContext(): { context: ExecutionContext; events: ProtocolEvent[] } {
  const events: ProtocolEvent[] = [];
  const context: ExecutionContext = {
    worker: { runtimeId: 'rt', workerId: 'edge' },
    runGeneration: 1,
    signal: new AbortController().signal,
    publish: async (event) => {
      events.push(event as ProtocolEvent);
      return { ok: true, sequence: events.length, cursor: String(events.length) };
    },
    reportLost: () => undefined,
    reportRestored: () => undefined,
  };
  return { context, events };
}
async function spawned(args: string[] = [], overrides: Parameters<typeof testWorkerOptions>[1] = {}) {
  const backend = new WorkerBridgeExecutionBackend({ backendId: 'workerBridge' });
  cleanups.push(() => backend.dispose(AbortSignal.timeout(5_000)));
  const recorded = recordingContext();
  const result = await backend.spawn({ profile: 'p', profileOptions: testWorkerOptions(args, overrides), displayName: null }, recorded.context, AbortSignal.timeout(10_000));
  if (result.status !== 'ready') throw new Error(`spawn ${result.status}`);
  return { backend, handle: result.handle as ExecutionHandle, ...recorded };
}

describe('WorkerBridgeExecutionBackend: what answers an input', () => {
  it("a stray non-JSON line before the worker's commit is the bridge's diagnostic, not the worker refusing: accepted", async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { result, events } = await runTurn(runtime, stored, 'w', 'go #stray');
    expect(result).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['invoke_start', 'error', 'user_message']);
    expect(events[1]?.data).toMatchObject({ code: 'invalid_event' });
    expect(names.filter((n) => n === 'user_message')).toHaveLength(1);
  });

  it('an echo with extra fields and kinds is the worker\'s record: published as it is, and it commits the input', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { result, events } = await runTurn(runtime, stored, 'w', 'go #extra');
    expect(result).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    expect(events.find((e) => e.event === 'user_message')?.data).toEqual({
      segments: [{ kind: 'text', content: 'go #extra', id: 'seg-0' }, { kind: 'worker_note', note: 'kept' }],
    });
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
  });

  it("an input whose wait the Runtime's deadline cut is abandoned, not an ack timeout", async () => {
    const { backend, handle } = await spawned([], { timeouts: { ackMs: 5_000 } });
    const result = await backend.dispatchInput(handle, textInput('never committed #noack'), 'sub-1', AbortSignal.timeout(150));
    expect(result).toMatchObject({ status: 'rejected', diagnostic: { code: 'worker_ack_abandoned' } });
  });
});

describe('WorkerBridgeExecutionBackend: operators see why a worker ended', () => {
  it('a started worker that fails to start or exits has its stderr tail logged host-side (never published)', async () => {
    const logged: ProcessLogEntry[] = [];
    const backend = new WorkerBridgeExecutionBackend({ backendId: 'workerBridge', log: (entry) => void logged.push(entry) });
    const { runtime, stored } = start({ exits: testWorkerOptions(['--exit-at-start', '2']), bridge: testWorkerOptions() }, {}, backend);
    await runtime.create({ workerId: 'x', profile: 'exits' });
    expect(logged).toEqual([expect.objectContaining({ source: 'workerBridge', workerId: 'x', code: 'worker_exited', exit: 'exit code 2' })]);
    expect(logged[0]?.stderrTail).toContain('exits at start on purpose');
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    expect((await runtime.submitInput('w', textInput('#crash'))).outcome).toBe('accepted');
    expect(await eventually(() => logged.length === 2)).toBe(true);
    expect(logged[1]).toMatchObject({ workerId: 'w', code: 'worker_exited', exit: 'exit code 3' });
    expect(logged[1]?.stderrTail).toContain('crashed on purpose');
    expect(JSON.stringify((await stored('w')).map((o) => o.event))).not.toContain('on purpose');
  });
});

describe('WorkerBridgeExecutionBackend: host paths wherever a greeting appears', () => {
  it("no cwd in nested snapshots (internal_worker, internal_workers, workers_listed): not in browser frames, not in snapshot()", async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const observed = runtime.observe('w', { after: null });
    if (!observed.ok) throw new Error('no stream');
    await runTurn(runtime, stored, 'w', 'go #internal');
    expect(await runtime.invokeMethod('w', { method: 'list_workers' })).toMatchObject({ outcome: 'accepted' });
    const frames = await takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'workers_listed', 5_000);
    observed.subscription.close();
    const raw = JSON.stringify(frames);
    expect(raw).toContain(JSON.stringify(process.cwd())); // the worker did send it, nested three ways
    const browser = JSON.stringify(frames.map(toBrowserFrame));
    expect(browser).not.toContain(JSON.stringify(process.cwd()));
    expect(browser).toContain('"worker_name":"deeper"');
    const snapshot = await runtime.snapshot('w');
    expect(JSON.stringify(snapshot)).not.toContain(JSON.stringify(process.cwd()));
    expect(JSON.stringify(snapshot)).toContain('"internal_workers"');
  });
});

describe('WorkerBridgeExecutionBackend: methods and handles', () => {
  it("a method is done only when the worker answers it; a refusal is rejected with the worker's code", async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    expect(await runtime.invokeMethod('w', { method: 'pause' })).toMatchObject({ outcome: 'rejected', diagnostic: { code: 'worker_method_refused', message: expect.stringContaining('not_running') } });
    expect(await runtime.invokeMethod('w', { method: 'compact' })).toMatchObject({ outcome: 'accepted', reason: 'dispatched' });
    expect((await runtime.submitInput('w', textInput('#hold'))).outcome).toBe('accepted');
    expect(await runtime.invokeMethod('w', { method: 'pause' })).toMatchObject({ outcome: 'accepted' });
    expect(await eventually(() => runtime.get('w')?.state === 'paused')).toBe(true);
    expect(await runtime.invokeMethod('w', { method: 'resume' })).toMatchObject({ outcome: 'accepted' });
    expect(await runtime.cancel('w')).toMatchObject({ outcome: 'accepted' });
    expect((await runTurn(runtime, stored, 'w', 'after')).result.outcome).toBe('accepted');
  });

  it('a method the worker never answers: rejected after ackMs, or abandoned when the deadline fires first', async () => {
    const { backend, handle } = await spawned([], { timeouts: { ackMs: 200 } });
    const ignored: WorkerMethod = { method: 'register_peer', params: { name: 'nobody' } };
    expect(await backend.dispatchMethod(handle, ignored, AbortSignal.timeout(5_000))).toMatchObject({ status: 'rejected', diagnostic: { code: 'worker_method_timeout' } });
    expect(await backend.dispatchMethod(handle, ignored, AbortSignal.timeout(50))).toMatchObject({ status: 'rejected', diagnostic: { code: 'worker_ack_abandoned' } });
    expect(await backend.dispatchMethod(handle, { method: 'list_workers' }, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
  });

  it('cancel or stop on a handle this backend never issued is rejected; stop of a stopped one is done', async () => {
    const { backend, handle } = await spawned();
    const stranger = Object.freeze({ backend: 'workerBridge' });
    expect(await backend.cancel(stranger, AbortSignal.timeout(1_000))).toMatchObject({ status: 'rejected', diagnostic: { code: 'worker_unavailable' } });
    expect(await backend.stop(stranger, AbortSignal.timeout(1_000))).toMatchObject({ status: 'rejected', diagnostic: { code: 'worker_unavailable' } });
    expect(await backend.stop(handle, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
    expect(await backend.stop(handle, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
    expect(await backend.cancel(handle, AbortSignal.timeout(1_000))).toMatchObject({ status: 'rejected' });
  });

  it('the method schema has every method of the vocabulary', () => {
    for (const method of [{ method: 'list_workers' }, { method: 'restore_worker', params: { name: 'helper' } }, { method: 'register_peer', params: { name: 'peer-1' } }]) {
      expect(WorkerMethodSchema.safeParse(method).success, method.method).toBe(true);
    }
    expect(WorkerMethodSchema.safeParse({ method: 'restore_worker', params: {} }).success).toBe(false);
  });
});
