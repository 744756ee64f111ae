import fc from 'fast-check';
import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { textInput } from '../../src/domain/workerInput.js';
import { isConnected } from '../../src/domain/workerState.js';
import { ClockPort } from '../../src/ports/clockPort.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { FakeExecutionBackend } from '../../src/testing/index.js';

/** A clock the test moves by hand: timers fire only when it is advanced past them. */
class ManualClock implements ClockPort {
  private time = 1_000;
  private timers: { at: number; callback: () => void; live: boolean }[] = [];
  now(): number {
    return this.time;
  }
  setTimer(ms: number, callback: () => void): () => void {
    const timer = { at: this.time + ms, callback, live: true };
    this.timers.push(timer);
    return () => void (timer.live = false);
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.live && t.at <= this.time);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const timer of due) {
      timer.live = false;
      timer.callback();
    }
  }
}

const settle = async () => {
  for (let i = 0; i < 6; i++) await new Promise((resolve) => setImmediate(resolve));
};

type Step =
  | { kind: 'ask'; timeoutMs: number }
  | { kind: 'decide'; pick: number; option: 'allow' | 'reject' | 'bogus' }
  | { kind: 'close'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'run' }
  | { kind: 'cancel' }
  | { kind: 'stop' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('ask' as const), timeoutMs: fc.integer({ min: 10, max: 100 }) }),
  fc.record({ kind: fc.constant('decide' as const), pick: fc.nat(20), option: fc.constantFrom('allow' as const, 'reject' as const, 'bogus' as const) }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120 }) }),
  fc.constant({ kind: 'run' as const }),
  fc.constant({ kind: 'cancel' as const }),
  fc.constant({ kind: 'stop' as const }),
);

describe('the decision state machine (property)', () => {
  it('requires_action exactly while a question waits; every question gets at most one answer; none outlives the execution', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const clock = new ManualClock();
        const fake = new FakeExecutionBackend({ backendId: 'fake' });
        const container = createRuntimeContainer({
          runtime: { profiles: { fake: { backend: 'fake' } } },
          backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(fake))],
        });
        container.rebind(ClockPort).toConstantValue(clock);
        const runtime = container.get(WorkerRuntime);
        await runtime.create({ workerId: 'w', profile: 'fake' });
        const asked: string[] = [];
        for (const s of steps) {
          const open = runtime.get('w')?.pendingDecisions ?? [];
          switch (s.kind) {
            case 'ask': {
              const result = await fake.ask('w', { title: 'q', options: [{ id: 'allow', name: 'Allow', kind: 'allow_once' }, { id: 'reject', name: 'Reject', kind: 'reject_once' }], timeoutMs: s.timeoutMs });
              if (result.ok) asked.push(result.decisionId);
              break;
            }
            case 'decide': {
              const id = open[s.pick % Math.max(1, open.length)]?.id ?? asked[s.pick % Math.max(1, asked.length)] ?? 'none';
              const result = await runtime.decide('w', id, s.option);
              expect(result.operation).toBe('decide');
              if (s.option === 'bogus' && open.some((d) => d.id === id)) expect(result.reason).toBe('option_not_offered');
              break;
            }
            case 'close': {
              const id = open[s.pick % Math.max(1, open.length)]?.id;
              if (id) fake.contextOf('w')?.closeDecision?.(id, 'cancelled');
              break;
            }
            case 'advance':
              clock.advance(s.ms);
              break;
            case 'run':
              await runtime.submitInput('w', textInput('a run #ask'));
              break;
            case 'cancel':
              await runtime.cancel('w');
              break;
            case 'stop':
              await runtime.stop('w');
              break;
          }
          await settle();
          const worker = runtime.get('w')!;
          // The state says a person is needed exactly when a question waits (and only on a connected Worker).
          expect(worker.state === 'requires_action').toBe(worker.pendingDecisions.length > 0);
          if (!isConnected(worker.state)) expect(worker.pendingDecisions).toEqual([]);
        }
        // At most one answer per question ever reached the backend.
        const answered = fake.answers.map((a) => a.answer.decisionId);
        expect(new Set(answered).size).toBe(answered.length);
        await runtime.shutdown();
        expect(runtime.get('w')).toMatchObject({ state: 'stopped', pendingDecisions: [] });
        expect(fake.openQuestions('w')).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
