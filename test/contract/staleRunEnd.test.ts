import { describe, expect, it } from 'vitest';
import { textInput } from '../../src/domain/workerInput.js';
import { eventually } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

/**
 * Run-ending events belong to their run (invariants 6 and 7 together): a late end report of the run
 * before (its `status: idle` after `run_end`, or its `run_end` after `status: idle`) never ends the run
 * of the input dispatched since, so a third input cannot be accepted while the second is in flight.
 */
async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return check();
}

describe('a stale end-of-run event from the previous run never ends the current run', () => {
  it('the fake: run_end, the next input, then the first run`s late status idle (eventDelayMs)', async () => {
    const { runtime, fake, stored } = fixture({ fake: { eventDelayMs: 30 } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const lifecycle = runtime.lifecycle();
    expect(await runtime.submitInput('w', textInput('one'))).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    // The second input goes in within the microtasks after run 1's `run_end` made the Worker idle,
    // before the fake's `status: idle` of run 1 (30 ms later). Run 2 is held: it cannot end by itself.
    let second: Awaited<ReturnType<typeof runtime.submitInput>> | null = null;
    for await (const frame of lifecycle) {
      if (frame.type === 'lifecycle' && frame.change.worker.state === 'idle') {
        second = await runtime.submitInput('w', textInput('#hold two'));
        break;
      }
    }
    expect(second).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    const staleArrived = async () => {
      const events = (await stored('w')).map((o) => o.event.event);
      const secondMessage = events.lastIndexOf('user_message');
      return events.indexOf('status', secondMessage) > secondMessage;
    };
    expect(await until(staleArrived)).toBe(true);
    expect(runtime.get('w')?.state).toBe('busy');
    const third = await runtime.submitInput('w', textInput('three'));
    expect(third).toMatchObject({ outcome: 'busy', reason: 'run_in_flight', state: 'busy' });
    expect(fake.dispatches.map((d) => d.input)).toEqual([textInput('one'), textInput('#hold two')]);
    expect(await runtime.cancel('w')).toMatchObject({ reason: 'cancelled' });
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    await runtime.shutdown();
  });

  it('any backend: a late status idle after the next dispatch leaves the new run busy', async () => {
    const { runtime, fake, stored } = fixture({ fake: { runMode: 'manual' } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('one'));
    await fake.publish('w', { event: 'run_end', data: { result: 'finished' } });
    expect(runtime.get('w')?.state).toBe('idle');
    expect(await runtime.submitInput('w', textInput('two'))).toMatchObject({ reason: 'committed', state: 'busy' });
    await fake.publish('w', { event: 'status', data: { status: 'idle' } }); // run 1's, arriving late
    expect(runtime.get('w')?.state).toBe('busy');
    expect(await runtime.submitInput('w', textInput('three'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    await fake.finishRun('w'); // run 2's own end: run_end, status idle
    expect(runtime.get('w')?.state).toBe('idle');
    expect(fake.dispatches).toHaveLength(2);
    // Nothing is dropped: the late event is on the stream, it only did not move the run state.
    expect((await stored('w')).filter((o) => o.event.event === 'status')).toHaveLength(2);
    await runtime.shutdown();
  });

  it('any backend: a late run_end after the previous run ended by its status idle ends nothing', async () => {
    const { runtime, fake } = fixture({ fake: { runMode: 'manual', script: (input) => [{ event: 'user_message', data: { segments: input.kind === 'user' ? input.segments : [] } }, { event: 'turn_start', data: { turn: 1 } }] } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await runtime.submitInput('w', textInput('one'));
    await fake.publish('w', { event: 'status', data: { status: 'idle' } }); // run 1 ends by its status first
    expect(runtime.get('w')?.state).toBe('idle');
    expect(await runtime.submitInput('w', textInput('two'))).toMatchObject({ reason: 'committed', state: 'busy' });
    await fake.publish('w', { event: 'run_end', data: { result: 'finished' } }); // run 1's run_end, late
    expect(runtime.get('w')?.state).toBe('busy');
    expect(await runtime.submitInput('w', textInput('three'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    await fake.publish('w', { event: 'status', data: { status: 'idle' } }); // run 2's own end
    expect(runtime.get('w')?.state).toBe('idle');
    await runtime.shutdown();
  });

  it('an end report while no run is in progress is a state report: it owes nothing, the next run ends at its run_end', async () => {
    const { runtime, fake } = fixture({ fake: { runMode: 'manual', script: (input) => [{ event: 'user_message', data: { segments: input.kind === 'user' ? input.segments : [] } }, { event: 'turn_start', data: { turn: 1 } }] } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    await fake.publish('w', { event: 'status', data: { status: 'idle' } }); // idle anyway (after a method, say)
    await runtime.submitInput('w', textInput('one'));
    expect(runtime.get('w')?.state).toBe('busy');
    await fake.publish('w', { event: 'run_end', data: { result: 'finished' } }); // a backend that sends no status
    expect(runtime.get('w')?.state).toBe('idle');
    await runtime.submitInput('w', textInput('two'));
    await fake.publish('w', { event: 'error', data: { code: 'provider_error', message: 'down' } });
    expect(runtime.get('w')?.state).toBe('idle');
    await runtime.shutdown();
  });

  it('a run the backend ends before its next start event is still over: ends of every kind after it count again', async () => {
    const { runtime, fake } = fixture({ fake: { runMode: 'manual' } });
    await runtime.create({ workerId: 'w', profile: 'fake' });
    for (const text of ['one', 'two', 'three']) {
      expect(await runtime.submitInput('w', textInput(text))).toMatchObject({ reason: 'committed' });
      await fake.finishRun('w');
      expect(runtime.get('w')?.state).toBe('idle');
    }
    expect(fake.dispatches).toHaveLength(3);
    await runtime.shutdown();
  });
});
