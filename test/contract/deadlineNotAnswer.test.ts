import { describe, expect, it } from 'vitest';
import { textInput } from '../../src/domain/workerInput.js';
import type { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { HostileBackend, deferred, doneAnswer, hostileRuntime, settle } from '../support/hostileBackend.js';

/** A HOSTILE backend whose dispatches each wait for the test to answer them. */
function slowDispatch() {
  const pending: { id: string; answer: ReturnType<typeof deferred<unknown>> }[] = [];
  const hostile = new HostileBackend({
    dispatchInput: (_handle, _input, submissionId) => {
      const answer = deferred<unknown>();
      pending.push({ id: submissionId as string, answer });
      return answer.promise;
    },
    stop: doneAnswer,
    cancel: doneAnswer,
  });
  const { runtime, stored } = hostileRuntime([hostile], { deadlines: { dispatchMs: 30 } });
  return { hostile, runtime, stored, pending };
}

async function timedOut(runtime: WorkerRuntime) {
  await runtime.create({ workerId: 'w', profile: 'hostile' });
  const result = await runtime.submitInput('w', textInput('slow'));
  expect(result).toMatchObject({ outcome: 'errored', reason: 'dispatch_timeout', state: 'busy' });
  expect(result.submissionId).toMatch(/\S/);
  return result;
}

describe('item 2: a dispatch deadline is not an answer (busy until the backend settles, then reconciled)', () => {
  it('after dispatch_timeout the Worker is busy and takes no new input; nothing more reaches the backend', async () => {
    const { hostile, runtime, pending } = slowDispatch();
    await timedOut(runtime);
    expect(runtime.get('w')?.state).toBe('busy');
    for (let i = 0; i < 3; i++) expect(await runtime.submitInput('w', textInput(`next ${i}`))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    expect(hostile.calls.filter((c) => c === 'dispatchInput')).toHaveLength(1);
    expect(pending).toHaveLength(1);
    await runtime.shutdown();
  });

  it('a late accepted answer is reconciled: the run goes on through its events, the Worker says so, then takes input again', async () => {
    const { hostile, runtime, pending } = slowDispatch();
    const result = await timedOut(runtime);
    pending[0]!.answer.resolve({ status: 'accepted', submissionId: result.submissionId, state: 'busy' });
    await settle();
    expect(runtime.get('w')).toMatchObject({ state: 'busy', diagnostic: { code: 'input_committed_late', severity: 'warning' } });
    expect(await runtime.submitInput('w', textInput('still running'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    await hostile.context('w').publish({ event: 'run_end', data: { result: 'finished' } });
    expect(runtime.get('w')?.state).toBe('idle');
    const next = runtime.submitInput('w', textInput('next'));
    await settle();
    pending[1]!.answer.resolve({ status: 'accepted', submissionId: pending[1]!.id });
    expect(await next).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    expect(runtime.get('w')?.diagnostic).toBeNull();
    await runtime.shutdown();
  });

  it.each([
    ['rejected', (answer: ReturnType<typeof deferred<unknown>>) => answer.resolve({ status: 'rejected', diagnostic: { code: 'nope', severity: 'error', message: 'no' } })],
    ['busy', (answer: ReturnType<typeof deferred<unknown>>) => answer.resolve({ status: 'busy' })],
    ['a wrong ack', (answer: ReturnType<typeof deferred<unknown>>) => answer.resolve({ status: 'accepted', submissionId: 'someone-else' })],
    ['a throw', (answer: ReturnType<typeof deferred<unknown>>) => answer.reject(new Error('late failure'))],
    ['garbage', (answer: ReturnType<typeof deferred<unknown>>) => answer.resolve(42)],
  ])('a late %s is reconciled: the Worker is idle again, says the input was not committed, takes input', async (_name, answer) => {
    const { runtime, pending } = slowDispatch();
    await timedOut(runtime);
    answer(pending[0]!.answer);
    await settle();
    expect(runtime.get('w')).toMatchObject({ state: 'idle', diagnostic: { code: 'input_not_committed' } });
    const next = runtime.submitInput('w', textInput('again'));
    await settle();
    pending[1]!.answer.resolve({ status: 'accepted', submissionId: pending[1]!.id, state: 'busy' });
    expect(await next).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    await runtime.shutdown();
  });

  it('events during the outstanding dispatch move the run state, but input waits for the answer', async () => {
    const { hostile, runtime, pending } = slowDispatch();
    const result = await timedOut(runtime);
    await hostile.context('w').publish({ event: 'run_end', data: { result: 'finished' } });
    expect(runtime.get('w')?.state).toBe('idle');
    expect(await runtime.submitInput('w', textInput('too soon'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    pending[0]!.answer.resolve({ status: 'accepted', submissionId: result.submissionId, state: 'busy' });
    await settle();
    expect(runtime.get('w')).toMatchObject({ state: 'idle', diagnostic: { code: 'input_committed_late' } });
    await runtime.shutdown();
  });

  it('stopping the Worker ends the wait; a late answer then changes nothing', async () => {
    const { runtime, pending } = slowDispatch();
    const result = await timedOut(runtime);
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    const before = runtime.get('w');
    pending[0]!.answer.resolve({ status: 'accepted', submissionId: result.submissionId });
    await settle();
    expect(runtime.get('w')).toEqual(before);
    await runtime.shutdown();
  });
});

describe('rule 17 for the other per-Worker calls: no second call of a kind while a timed-out one is outstanding', () => {
  it.each(['cancel', 'dispatchMethod', 'snapshot'] as const)('%s', async (name) => {
    const answers: ReturnType<typeof deferred<unknown>>[] = [];
    const hostile = new HostileBackend({
      [name]: () => {
        const answer = deferred<unknown>();
        answers.push(answer);
        return answer.promise;
      },
    });
    const { runtime } = hostileRuntime([hostile], { deadlines: { cancelMs: 30, methodMs: 30, snapshotMs: 30 } });
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    await hostile.context('w').publish({ event: 'status', data: { status: 'running' } });
    const call = async () =>
      name === 'cancel' ? runtime.cancel('w') : name === 'dispatchMethod' ? runtime.invokeMethod('w', { method: 'pause' }) : (await runtime.snapshot('w')).result;
    expect(await call()).toMatchObject({ outcome: 'errored', reason: `${name === 'dispatchMethod' ? 'method' : name}_timeout` });
    expect(await call()).toMatchObject({ outcome: 'busy', reason: 'call_outstanding', state: 'busy' });
    expect(answers).toHaveLength(1);
    answers[0]!.resolve({ status: 'unsupported' });
    await settle();
    expect(await call()).toMatchObject({ outcome: 'errored' });
    expect(answers).toHaveLength(2);
    await runtime.shutdown();
  });

  it('stop: errored stop_timeout, no second stop while it is outstanding, a late done stops the Worker', async () => {
    const answers: ReturnType<typeof deferred<unknown>>[] = [];
    const hostile = new HostileBackend({
      stop: () => {
        const answer = deferred<unknown>();
        answers.push(answer);
        return answer.promise;
      },
    });
    const { runtime } = hostileRuntime([hostile], { deadlines: { stopMs: 30 } });
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'errored', reason: 'stop_timeout', state: 'errored' });
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'busy', reason: 'call_outstanding', state: 'errored' });
    expect(answers).toHaveLength(1);
    answers[0]!.resolve({ status: 'done' });
    await settle();
    expect(runtime.get('w')).toMatchObject({ state: 'stopped', diagnostic: null });
    expect(hostile.context('w').signal.aborted).toBe(true);
    await runtime.shutdown();
  });

  it('remove of an errored Worker whose stop is outstanding forgets it without a second stop', async () => {
    const hostile = new HostileBackend({ stop: () => new Promise(() => undefined) });
    const { runtime } = hostileRuntime([hostile], { deadlines: { stopMs: 30 } });
    await runtime.create({ workerId: 'w', profile: 'hostile' });
    await runtime.stop('w');
    expect(await runtime.remove('w')).toMatchObject({ outcome: 'accepted', reason: 'removed' });
    expect(hostile.calls.filter((c) => c === 'stop')).toHaveLength(1);
    expect(runtime.list()).toEqual([]);
    await runtime.shutdown();
  });
});
