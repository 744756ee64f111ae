import type { WorkerRuntime } from '../application/workerRuntime.js';
import type { OperationResult } from '../domain/executionResult.js';
import type { WorkerInput } from '../domain/workerInput.js';
import type { WorkerState } from '../domain/workerState.js';
import { eventNames, takeUntil } from './frames.js';
import type { vitestFor } from './vitestApi.js';

/** What the decision cases need of the main suite. */
export interface DecisionCaseHarness {
  readonly api: ReturnType<typeof vitestFor>;
  readonly timeout: number;
  readonly runTimeout: number;
  readonly caps: { readonly decide?: boolean; readonly stop: boolean; readonly cancel: boolean };
  /** An input whose run asks a person a question before it can end. */
  readonly askInput?: WorkerInput;
  readonly shortInput: WorkerInput;
  start(): WorkerRuntime;
  nextId(): string;
  connect(rt: WorkerRuntime, id: string): Promise<void>;
  reach(rt: WorkerRuntime, id: string, state: WorkerState, after: string): Promise<void>;
}

const describeResult = (r: OperationResult) => `${r.outcome}/${r.reason}${r.message ? ` (${r.message})` : ''}`;

/**
 * Person-in-the-loop cases of the backend suite, by the `decide` capability: a backend that can ask
 * holds its run in `requires_action` until the question is answered exactly once (a person, a cancel,
 * a stop); one that cannot answers `decide` `unsupported`, changing nothing.
 */
export function describeDecisionCases(h: DecisionCaseHarness): void {
  const { it, expect } = h.api;
  const { timeout } = h;

  it('decide without the capability is unsupported and changes nothing', async (ctx) => {
    if (h.caps.decide) return ctx.skip('the adapter declares decide');
    const rt = h.start();
    const id = h.nextId();
    await h.connect(rt, id);
    const before = rt.get(id);
    expect(await rt.decide(id, 'any', 'any')).toMatchObject({ operation: 'decide', outcome: 'unsupported', reason: 'operation_unsupported' });
    expect(rt.get(id)).toEqual(before);
  }, timeout);

  /** A fresh Worker whose run is waiting for a person. */
  const asking = async (rt: WorkerRuntime) => {
    const id = h.nextId();
    await h.connect(rt, id);
    const result = await rt.submitInput(id, h.askInput!);
    expect(result.outcome, `the ask input must be accepted; it got ${describeResult(result)}`).toBe('accepted');
    await h.reach(rt, id, 'requires_action', 'after the ask input (its run must put a question through ExecutionContext.ask)');
    const [decision] = rt.get(id)!.pendingDecisions;
    expect(decision?.options.length, 'a pending decision offers at least one option').toBeGreaterThan(0);
    return { id, decision: decision! };
  };
  const skipUnlessAsking = (ctx: { skip(note: string): void }, needs: 'stop' | 'cancel' | null = null) => {
    if (!h.caps.decide || !h.askInput) return ctx.skip('no decide capability or no askInput declared'), true;
    if (needs && !h.caps[needs]) return ctx.skip(`the adapter declares no ${needs}`), true;
    return false;
  };

  it('a question waits in requires_action; one answer is delivered, a second is rejected, the run ends', async (ctx) => {
    if (skipUnlessAsking(ctx)) return;
    const rt = h.start();
    const { id, decision } = await asking(rt);
    const observed = rt.observe(id);
    if (!observed.ok) throw new Error(describeResult(observed.result));
    const option = decision.options.find((o) => o.kind.startsWith('allow')) ?? decision.options[0]!;
    expect(await rt.decide(id, decision.id, 'not-an-option')).toMatchObject({ outcome: 'rejected', reason: 'option_not_offered' });
    const answered = await rt.decide(id, decision.id, option.id);
    expect(answered, `decide must be accepted once the backend delivered the answer; got ${describeResult(answered)}`).toMatchObject({ outcome: 'accepted', reason: 'decided' });
    expect(await rt.decide(id, decision.id, option.id)).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    const frames = await takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'run_end', h.runTimeout, 'run_end after the answer');
    observed.subscription.close();
    expect(eventNames(frames), 'the backend publishes the answer (permission_resolved)').toContain('permission_resolved');
    await h.reach(rt, id, 'idle', 'after the answered run ended');
    expect(rt.get(id)?.pendingDecisions).toEqual([]);
  }, timeout);

  it('cancel while a question is pending answers it; nothing is left pending', async (ctx) => {
    if (skipUnlessAsking(ctx, 'cancel')) return;
    const rt = h.start();
    const { id, decision } = await asking(rt);
    expect((await rt.cancel(id)).outcome).toBe('accepted');
    await h.reach(rt, id, 'idle', 'after cancel (the cancelled run must end with run_end)');
    expect(rt.get(id)?.pendingDecisions).toEqual([]);
    expect(await rt.decide(id, decision.id, decision.options[0]!.id)).toMatchObject({ outcome: 'rejected' });
  }, timeout);

  it('stop while a question is pending: stopped, nothing pending', async (ctx) => {
    if (skipUnlessAsking(ctx, 'stop')) return;
    const rt = h.start();
    const { id } = await asking(rt);
    expect(await rt.stop(id)).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(rt.get(id)).toMatchObject({ state: 'stopped', pendingDecisions: [] });
  }, timeout);
}
