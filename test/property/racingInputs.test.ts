import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OperationResult } from '../../src/domain/executionResult.js';
import type { WorkerInput } from '../../src/domain/workerInput.js';
import { eventually, FakeExecutionBackend, runtimeAround } from '../../src/testing/index.js';

/**
 * Invariant 6 (single flight), as a property: however many callers race `submitInput` to one idle
 * Worker, and however they are spread over microtasks and macrotasks while the run is in progress,
 * exactly one input is committed (and reaches the backend); every other caller gets `busy`
 * (`run_in_flight`). Held runs (`#hold`) stay in progress until cancelled; completing runs end on
 * their own, so their callers race only within the in-flight window (microtask offsets).
 */

/** When a racing caller calls, relative to the start of its round. */
type Offset =
  | { readonly kind: 'sync' }
  | { readonly kind: 'micro'; readonly hops: number }
  | { readonly kind: 'immediate' }
  | { readonly kind: 'timeout'; readonly ms: number };

const offsetArb: fc.Arbitrary<Offset> = fc.oneof(
  fc.constant<Offset>({ kind: 'sync' }),
  fc.integer({ min: 1, max: 12 }).map((hops): Offset => ({ kind: 'micro', hops })),
  fc.constant<Offset>({ kind: 'immediate' }),
  fc.integer({ min: 0, max: 5 }).map((ms): Offset => ({ kind: 'timeout', ms })),
);

type InputKind = 'user' | 'notify' | 'multi';
const inputKindArb = fc.constantFrom<InputKind>('user', 'notify', 'multi');

const scenarioArb = fc.record({
  /** One entry per racing caller (2..50): when it calls and what it sends. */
  callers: fc.array(fc.record({ offset: offsetArb, kind: inputKindArb }), { minLength: 2, maxLength: 50 }),
  hold: fc.boolean(),
  /** 0: the backend answers at once; otherwise after this delay (`behave({ dispatch: { delayMs, then: 'accept' } })`). */
  delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 })),
  rounds: fc.integer({ min: 1, max: 2 }),
});

/** A valid input; held runs need user text containing `#hold` (the fake's default `holdWhen`). */
function inputFor(kind: InputKind, hold: boolean, round: number, caller: number): WorkerInput {
  const tag = `${hold ? '#hold ' : ''}round ${round} caller ${caller}`;
  if (hold || kind === 'user') return { kind: 'user', segments: [{ kind: 'text', content: tag }] };
  if (kind === 'notify') return { kind: 'notify', message: tag };
  return {
    kind: 'user',
    segments: [
      { kind: 'text', content: tag },
      { kind: 'file_ref', path: 'src/index.ts' },
    ],
  };
}

/** Waits out an offset. Completing runs may end on the next macrotask, so they race on microtasks only. */
async function wait(offset: Offset, macrotasksAllowed: boolean): Promise<void> {
  if (offset.kind === 'sync') return;
  if (offset.kind === 'micro' || !macrotasksAllowed) {
    const hops = offset.kind === 'micro' ? offset.hops : 3;
    for (let i = 0; i < hops; i++) await Promise.resolve();
    return;
  }
  if (offset.kind === 'immediate') await new Promise<void>((resolve) => setImmediate(resolve));
  else await new Promise<void>((resolve) => setTimeout(resolve, offset.ms));
}

describe('property: racing inputs to one idle Worker (single flight)', () => {
  it('exactly one racing input is committed and dispatched; every other caller gets busy run_in_flight', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ callers, hold, delayMs, rounds }) => {
        const fake = new FakeExecutionBackend();
        fake.behave({ dispatch: delayMs === 0 ? 'accept' : { delayMs, then: 'accept' } });
        const runtime = runtimeAround(fake);
        try {
          const created = await runtime.create({ workerId: 'w', profile: 'test' });
          expect(created.result).toMatchObject({ outcome: 'accepted', reason: 'created', state: 'idle' });

          for (let round = 1; round <= rounds; round++) {
            expect(runtime.get('w')?.state).toBe('idle');
            const results: Promise<OperationResult>[] = [];
            for (const [caller, { offset, kind }] of callers.entries()) {
              const input = inputFor(kind, hold, round, caller);
              results.push(wait(offset, hold).then(() => runtime.submitInput('w', input)));
            }
            const settled = await Promise.all(results);

            const accepted = settled.filter((r) => r.outcome === 'accepted');
            const others = settled.filter((r) => r.outcome !== 'accepted');
            expect(accepted).toHaveLength(1);
            expect(accepted[0]).toMatchObject({ operation: 'input', reason: 'committed' });
            for (const result of others) expect(result).toMatchObject({ operation: 'input', outcome: 'busy', reason: 'run_in_flight' });
            expect(fake.dispatches).toHaveLength(round);
            expect(fake.dispatches[round - 1]!.submissionId).toBe(accepted[0]!.submissionId);

            // End the run (held: cancel; completing: it ends by itself) so the next round starts idle.
            if (hold) expect(await runtime.cancel('w')).toMatchObject({ outcome: 'accepted', reason: 'cancelled' });
            expect(await eventually(() => runtime.get('w')?.state === 'idle', 2_000, 1)).toBe(true);
          }
        } finally {
          await runtime.shutdown();
        }
        expect(fake.live).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
