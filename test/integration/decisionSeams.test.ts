import { describe, expect, it } from 'vitest';
import type { LifecycleItem } from '../../src/application/lifecycleFeed.js';
import { textInput } from '../../src/domain/workerInput.js';
import { eventually } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

/** A question waiting for a person, meeting the busy policies. */
function setup() {
  const f = fixture({
    runtime: {
      profiles: {
        i: { backend: 'fake', busy: { policy: 'interrupt' } },
        q: { backend: 'fake', busy: { policy: 'enqueue' } },
      },
    },
  });
  const changes: LifecycleItem[] = [];
  const feed = f.runtime.lifecycle();
  void (async () => {
    for await (const frame of feed) changes.push(frame);
  })();
  const settlementOf = (id: string) => {
    const found = f.runtime.submission('w', id);
    return found.ok ? (found.submission.settlement ?? null) : null;
  };
  return { ...f, changes, settlementOf };
}

describe('a decision pending when input arrives', () => {
  it('interrupt while requires_action: the question ends cancelled (once, by the backend), then the input is dispatched and committed', async () => {
    const { runtime, fake, stored, settlementOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'i' });
    await runtime.submitInput('w', textInput('edit #ask'));
    expect(await eventually(() => runtime.get('w')?.state === 'requires_action')).toBe(true);
    const decision = runtime.get('w')!.pendingDecisions[0]!;
    const result = await runtime.submitInput('w', textInput('never mind, do this'));
    expect(result).toMatchObject({ outcome: 'queued', reason: 'interrupting', position: 1 });
    expect(await eventually(() => settlementOf(result.submissionId!) !== null)).toBe(true);
    expect(settlementOf(result.submissionId!)).toMatchObject({ outcome: 'committed' });
    expect(fake.dispatches).toHaveLength(2);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    expect(fake.answers).toEqual([]);
    const resolved = (await stored('w')).filter((o) => o.event.event === 'permission_resolved');
    expect(resolved.map((o) => o.event.data)).toEqual([expect.objectContaining({ decided_by: 'cancelled' })]);
    await runtime.shutdown();
  });

  it('enqueue while requires_action (inside a run): the queued input waits for the answer and the end of the run', async () => {
    const { runtime, fake, settlementOf } = setup();
    await runtime.create({ workerId: 'w', profile: 'q' });
    await runtime.submitInput('w', textInput('edit #ask'));
    expect(await eventually(() => runtime.get('w')?.state === 'requires_action')).toBe(true);
    const decision = runtime.get('w')!.pendingDecisions[0]!;
    const queued = await runtime.submitInput('w', textInput('after the edit'));
    expect(queued).toMatchObject({ outcome: 'queued', reason: 'enqueued', state: 'requires_action' });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(fake.dispatches).toHaveLength(1);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'accepted', reason: 'decided' });
    expect(await eventually(() => settlementOf(queued.submissionId!) !== null)).toBe(true);
    expect(settlementOf(queued.submissionId!)).toMatchObject({ outcome: 'committed' });
    expect(fake.dispatches).toHaveLength(2);
    await runtime.shutdown();
  });
});
