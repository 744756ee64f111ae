import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LifecycleItem } from '../../src/application/lifecycleFeed.js';
import type { OperationResult } from '../../src/domain/executionResult.js';
import type { SettlementView } from '../../src/domain/queuedInput.js';
import { textInput, type WorkerInput } from '../../src/domain/workerInput.js';
import type { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { eventually, FakeExecutionBackend, runtimeAround } from '../../src/testing/index.js';

/**
 * Busy policy `enqueue`, as a property: N inputs racing to one Worker (over microtasks and
 * macrotasks, while runs come and go, some refused by the backend, some cancelled while they wait)
 * each reach the backend at most once, the ones not cancelled exactly once, in the order they
 * arrived; every input that was answered `queued` ends in exactly one final outcome, on the
 * lifecycle stream and read back by submission id, and it is the right one.
 */
type Offset = { readonly kind: 'sync' } | { readonly kind: 'micro'; readonly hops: number } | { readonly kind: 'timeout'; readonly ms: number };

const offsetArb: fc.Arbitrary<Offset> = fc.oneof(
  fc.constant<Offset>({ kind: 'sync' }),
  fc.integer({ min: 1, max: 8 }).map((hops): Offset => ({ kind: 'micro', hops })),
  fc.integer({ min: 0, max: 4 }).map((ms): Offset => ({ kind: 'timeout', ms })),
);

const scenarioArb = fc.record({
  callers: fc.array(fc.record({ offset: offsetArb, refused: fc.boolean(), cancel: fc.boolean() }), { minLength: 2, maxLength: 30 }),
  /** How long the backend takes to answer each dispatch. */
  delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })),
  /** Events of a run spaced out (the run ends later than its dispatch answer). */
  eventDelayMs: fc.constantFrom(0, 1),
});

async function wait(offset: Offset): Promise<void> {
  if (offset.kind === 'sync') return;
  if (offset.kind === 'micro') for (let i = 0; i < offset.hops; i++) await Promise.resolve();
  else await new Promise((resolve) => setTimeout(resolve, offset.ms));
}

/** The FAKE backend, refusing inputs that say `#refuse` (as a real backend may refuse one it cannot run). */
function refusing(fake: FakeExecutionBackend): ExecutionBackendPort {
  return Object.assign(Object.create(fake) as FakeExecutionBackend, {
    dispatchInput: (handle: unknown, input: WorkerInput, submissionId: string) => {
      const text = input.kind === 'user' ? String(input.segments[0] && 'content' in input.segments[0] ? input.segments[0].content : '') : '';
      if (text.includes('#refuse')) return Promise.resolve({ status: 'rejected' as const, diagnostic: { code: 'refused', severity: 'error' as const, message: 'no' } });
      return fake.dispatchInput(handle, input, submissionId);
    },
  });
}

describe('property: racing inputs under busy policy enqueue', () => {
  it('each is dispatched exactly once (unless cancelled first), in arrival order, and each queued one ends in exactly one final outcome', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ callers, delayMs, eventDelayMs }) => {
        const fake = new FakeExecutionBackend({ eventDelayMs });
        fake.behave({ dispatch: delayMs === 0 ? 'accept' : { delayMs, then: 'accept' } });
        const seen: string[] = [];
        const backend = refusing(fake);
        const counting = Object.assign(Object.create(backend) as ExecutionBackendPort, {
          dispatchInput: (...args: Parameters<ExecutionBackendPort['dispatchInput']>) => {
            const input = args[1];
            seen.push(input.kind === 'user' && 'content' in input.segments[0]! ? String(input.segments[0].content) : '?');
            return backend.dispatchInput(...args);
          },
        });
        const runtime = runtimeAround(counting, { runtime: { profiles: { test: { backend: 'fake', busy: { policy: 'enqueue', queueLimit: 1000 } } } } });
        const changes: LifecycleItem[] = [];
        const lifecycle = runtime.lifecycle();
        void (async () => {
          for await (const frame of lifecycle) changes.push(frame);
        })();
        try {
          await runtime.create({ workerId: 'w', profile: 'test' });
          const arrived: string[] = [];
          const cancelled = new Set<string>();
          const results = await Promise.all(
            callers.map(async ({ offset, refused, cancel }, index) => {
              await wait(offset);
              const text = `input ${index}${refused ? ' #refuse' : ''}`;
              arrived.push(text);
              const result = await runtime.submitInput('w', textInput(text));
              if (cancel && result.outcome === 'queued') {
                const answer = await runtime.cancelQueued('w', result.submissionId!);
                if (answer.reason === 'cancelled') cancelled.add(text);
                else expect(['submission_dispatching', 'submission_settled']).toContain(answer.reason);
              }
              return [text, result] as [string, OperationResult];
            }),
          );
          expect(await eventually(() => runtime.get('w')?.queue.length === 0 && runtime.get('w')?.state === 'idle', 10_000, 2)).toBe(true);

          // Dispatched exactly once unless cancelled before, in arrival order.
          expect(seen).toEqual(arrived.filter((text) => !cancelled.has(text)));
          expect(new Set(seen).size).toBe(seen.length);

          const settledOn = new Map<string, SettlementView[]>();
          for (const c of changes) {
            if (c.type !== 'lifecycle' || c.change.type !== 'input_settled') continue;
            const list = settledOn.get(c.change.settlement.submissionId) ?? [];
            list.push(c.change.settlement);
            settledOn.set(c.change.settlement.submissionId, list);
          }
          for (const [text, result] of results) {
            if (result.outcome !== 'queued') {
              // Only an input that found the Worker idle and its queue empty is dispatched at once.
              expect(result.outcome === 'accepted' || result.reason === 'backend_rejected', `${text}: ${result.reason}`).toBe(true);
              continue;
            }
            const expected = cancelled.has(text) ? 'cancelled' : text.includes('#refuse') ? 'rejected' : 'committed';
            const settlements = settledOn.get(result.submissionId!) ?? [];
            expect(settlements, `${text} settled once`).toHaveLength(1);
            expect(settlements[0]!.outcome).toBe(expected);
            const read = runtime.submission('w', result.submissionId!);
            expect(read.ok && read.submission.settlement).toEqual(settlements[0]);
          }
          expect(new Set(results.map(([, r]) => r.submissionId).filter(Boolean)).size).toBe(results.filter(([, r]) => r.submissionId).length);
        } finally {
          await runtime.shutdown();
        }
      }),
      { numRuns: 40 },
    );
  });
});
