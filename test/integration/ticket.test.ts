import { describe, expect, it } from 'vitest';
import { textInput } from '../../src/domain/workerInput.js';
import { takeUntil } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

// The original ticket's three tests.
describe('the execution-backend boundary (original ticket)', () => {
  it('input to a backend-unconnected Worker is rejected, typed, with nothing recorded or published', async () => {
    const { runtime, stored, fake } = fixture();
    const created = await runtime.create({ workerId: 'offline', profile: 'none' });
    expect(created.worker?.state).toBe('unavailable');
    const result = await runtime.submitInput('offline', textInput('hello'));
    expect(result).toMatchObject({
      operation: 'input',
      outcome: 'rejected',
      reason: 'execution_unavailable',
      state: 'unavailable',
      diagnostic: { code: 'backend_not_configured' },
    });
    expect(result.submissionId).toBeUndefined();
    expect(await stored('offline')).toEqual([]);
    expect(fake.dispatches).toEqual([]);
    const transcript = await runtime.transcript('offline');
    expect(transcript.ok && transcript.entries).toEqual([]);
  });

  it('input to a connected Worker goes through the dispatch boundary with a typed result', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w1', profile: 'fake' });
    const result = await runtime.submitInput('w1', textInput('hello'));
    expect(result).toMatchObject({ operation: 'input', outcome: 'accepted', reason: 'committed', state: 'busy' });
    expect(fake.dispatches).toHaveLength(1);
    expect(fake.dispatches[0]).toMatchObject({ workerId: 'w1', submissionId: result.submissionId, input: textInput('hello') });
  });

  it("a backend's protocol event published through its context reaches the observation bus", async () => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'w1', profile: 'fake' });
    const observed = runtime.observe('w1');
    if (!observed.ok) throw new Error('observe failed');
    const published = await fake.contextOf('w1')!.publish({ event: 'text_delta', data: { text: 'from the backend' } });
    expect(published).toMatchObject({ ok: true, sequence: 1 });
    const frames = await takeUntil(observed.subscription, (f) => f.type === 'observation');
    expect(frames[0]).toMatchObject({
      type: 'observation',
      replayed: false,
      observation: { sequence: 1, worker: { workerId: 'w1' }, event: { event: 'text_delta', data: { text: 'from the backend' } } },
    });
    expect((await stored('w1')).map((o) => o.event.event)).toEqual(['text_delta']);
  });
});
