import { describe, expect, it } from 'vitest';
import type { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { textInput, type WorkerInput } from '../../src/domain/workerInput.js';
import type { DispatchResult } from '../../src/ports/executionBackendPort.js';
import { eventually } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

/**
 * A queued input whose dispatch times out, over a backend that does what the port asks: it releases
 * its call when the signal fires, so its (late) answer settles in the same turn as the deadline,
 * before the drain has seen the timeout.
 */
function setup() {
  const f = fixture({ runtime: { profiles: { q: { backend: 'fake', busy: { policy: 'enqueue' } } }, deadlines: { dispatchMs: 50 } } });
  const dispatch = f.fake.dispatchInput.bind(f.fake);
  const abortOn = new Set<string>();
  f.fake.dispatchInput = (handle: unknown, input: WorkerInput, submissionId: string, signal?: AbortSignal): Promise<DispatchResult> => {
    const text = input.kind === 'user' && 'content' in input.segments[0]! ? String(input.segments[0].content) : '';
    if (!abortOn.has(text)) return dispatch(handle, input, submissionId);
    // Never answers by itself; gives up (rejects) as soon as the Runtime's deadline aborts it.
    return new Promise((_resolve, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted by the deadline'))));
  };
  return { ...f, abortOn };
}

const settlementOf = (runtime: WorkerRuntime, id: string) => {
  const found = runtime.submission('w', id);
  return found.ok ? (found.submission.settlement ?? null) : null;
};

describe('a queued input whose dispatch times out and whose backend gives up at the deadline', () => {
  it('ends rejected input_not_committed; the queue goes on with the next input', async () => {
    const { runtime, fake, abortOn } = setup();
    abortOn.add('times out');
    await runtime.create({ workerId: 'w', profile: 'q' });
    await runtime.submitInput('w', textInput('#hold'));
    const slow = await runtime.submitInput('w', textInput('times out'));
    const next = await runtime.submitInput('w', textInput('after it'));
    expect([slow.outcome, next.outcome]).toEqual(['queued', 'queued']);
    await fake.finishRun('w');
    expect(await eventually(() => settlementOf(runtime, slow.submissionId!) !== null)).toBe(true);
    expect(settlementOf(runtime, slow.submissionId!)).toMatchObject({ outcome: 'rejected', reason: 'input_not_committed' });
    expect(await eventually(() => settlementOf(runtime, next.submissionId!) !== null)).toBe(true);
    expect(settlementOf(runtime, next.submissionId!)).toMatchObject({ outcome: 'committed' });
    await runtime.shutdown();
  });
});
