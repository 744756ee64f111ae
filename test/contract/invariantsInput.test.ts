import { describe, expect, it } from 'vitest';
import { OperationResultSchema, REASONS, outcomeOf } from '../../src/domain/executionResult.js';
import { textInput } from '../../src/domain/workerInput.js';
import { eventually } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

describe('invariant 1: no input without execution', () => {
  it('a Worker whose execution was lost rejects input with its diagnostic and dispatches nothing', async () => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    fake.crash('w', 'process_exited', 'exit code 3');
    expect(runtime.get('w')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'process_exited' } });
    const result = await runtime.submitInput('w', textInput('anyone?'));
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'execution_unavailable', diagnostic: { code: 'process_exited' } });
    expect(fake.dispatches).toEqual([]);
    expect(await stored('w')).toEqual([]);
  });

  it('a starting Worker (spawn in flight) rejects input without dispatching', async () => {
    const { runtime, fake } = fixture({ fake: { behaviours: { spawn: { delayMs: 50, then: 'ready' } } } });
    const creating = runtime.create({ workerId: 'w', profile: 'fake' });
    const result = await runtime.submitInput('w', textInput('too early'));
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'worker_starting', state: 'starting' });
    await creating;
    expect(fake.dispatches).toEqual([]);
  });
});

describe('invariant 4: acceptance is a typed operation result', () => {
  it('every outcome carries operation, outcome, a closed reason and the resulting state; busy differs from rejected by value', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const accepted = await runtime.submitInput('w', textInput('#hold'));
    const busy = await runtime.submitInput('w', textInput('again'));
    fake.once('dispatch', 'reject');
    await runtime.stop('w');
    const rejected = await runtime.submitInput('w', textInput('after stop'));
    const unknown = await runtime.submitInput('nobody', textInput('x'));
    const invalid = await runtime.submitInput('w', { kind: 'user', segments: [] });
    for (const result of [accepted, busy, rejected, unknown, invalid]) {
      expect(OperationResultSchema.parse(result)).toEqual(result);
      expect(outcomeOf(result.reason)).toBe(result.outcome);
    }
    expect([busy.outcome, busy.reason]).toEqual(['busy', 'run_in_flight']);
    expect([rejected.outcome, rejected.reason]).toEqual(['rejected', 'worker_stopped']);
    expect([unknown.outcome, unknown.reason, unknown.state]).toEqual(['rejected', 'worker_not_found', null]);
    expect([invalid.outcome, invalid.reason]).toEqual(['rejected', 'invalid_request']);
  });

  it('each reason belongs to exactly one outcome', () => {
    const all = Object.values(REASONS).flat();
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('invariant 5: accepted means committed', () => {
  it('the Runtime generates the submission id and the backend acknowledges exactly that id', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const result = await runtime.submitInput('w', textInput('hi'));
    expect(result.outcome).toBe('accepted');
    expect(fake.dispatches[0]?.submissionId).toBe(result.submissionId);
  });

  it('a caller cannot supply the submission id', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const result = await runtime.submitInput('w', { ...textInput('hi'), submissionId: 'mine' });
    expect([result.outcome, result.reason]).toEqual(['rejected', 'invalid_request']);
    expect(fake.dispatches).toEqual([]);
  });

  it.each(['wrong_ack', 'missing_ack'] as const)('a %s becomes rejected commit_ack_mismatch', async (behaviour) => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    fake.once('dispatch', behaviour);
    const result = await runtime.submitInput('w', textInput('hi'));
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'commit_ack_mismatch' });
    expect(result.submissionId).toBeUndefined();
  });
});

describe('invariant 6: single flight', () => {
  it('many racing callers: exactly one input reaches the backend, the rest get busy', async () => {
    const { runtime, fake } = fixture({ fake: { behaviours: { dispatch: { delayMs: 20, then: 'accept' } } } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => runtime.submitInput('w', textInput(`#hold ${i}`))));
    expect(results.filter((r) => r.outcome === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'busy' && r.reason === 'run_in_flight')).toHaveLength(24);
    expect(fake.dispatches).toHaveLength(1);
  });

  it('after the run ends the Worker accepts the next input', async () => {
    const { runtime } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    expect((await runtime.submitInput('w', textInput('one'))).outcome).toBe('accepted');
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect((await runtime.submitInput('w', textInput('two'))).outcome).toBe('accepted');
  });
});

describe('invariant 7: run state follows the backend', () => {
  it('the dispatch result sets it first, then observed status, run_end and error events move it', async () => {
    const { runtime, fake } = fixture({ fake: { runMode: 'manual' } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('go'));
    expect(runtime.get('w')?.state).toBe('busy');
    await fake.finishRun('w');
    expect(runtime.get('w')?.state).toBe('idle');
    const ctx = fake.contextOf('w')!;
    await ctx.publish({ event: 'status', data: { status: 'running' } });
    expect(runtime.get('w')?.state).toBe('busy');
    await ctx.publish({ event: 'status', data: { status: 'paused' } });
    expect(runtime.get('w')?.state).toBe('paused');
    await ctx.publish({ event: 'run_end', data: { result: 'finished' } });
    expect(runtime.get('w')?.state).toBe('idle');
    await ctx.publish({ event: 'invoke_start', data: { kind: 'wakeup' } });
    expect(runtime.get('w')?.state).toBe('busy');
    await ctx.publish({ event: 'error', data: { code: 'tool_error', message: 'a tool failed' } });
    expect(runtime.get('w')?.state).toBe('busy');
    await ctx.publish({ event: 'error', data: { code: 'provider_error', message: 'the provider failed' } });
    expect(runtime.get('w')?.state).toBe('idle');
  });

  it('events observed during dispatch win over the slower dispatch result', async () => {
    const quick = () => [
      { event: 'user_message', data: { segments: [{ kind: 'text', content: 'x' }] } },
      { event: 'run_end', data: { result: 'finished' } },
      { event: 'status', data: { status: 'idle' } },
    ];
    const { runtime } = fixture({ fake: { script: quick } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const result = await runtime.submitInput('w', textInput('x'));
    expect(result).toMatchObject({ outcome: 'accepted', state: 'idle' });
    expect(runtime.get('w')?.state).toBe('idle');
  });

  it('history events (a replayed session) do not move the run state', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await fake.contextOf('w')!.publish({ event: 'status', data: { status: 'running' } }, { history: true });
    expect(runtime.get('w')?.state).toBe('idle');
  });
});
