import type { DecisionAnswer } from '../../domain/decision.js';
import type { AskResult, ExecutionContext } from '../../ports/executionContext.js';
import { FakeAsks, isAskStep, type FakeQuestion, type FakeRunStep } from './fakeAsks.js';

/** The fake's handle. Tests may plant a secret in it: it must never reach a browser. */
export interface FakeHandle {
  readonly workerId: string;
  readonly secret: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One FAKE execution: its context, the rest of its current run, and its open questions. */
export class FakeExecution {
  /** The rest of the current run (empty while it waits for an answer); null: no run. */
  running: FakeRunStep[] | null = null;
  readonly asks = new FakeAsks();

  constructor(
    public context: ExecutionContext,
    readonly handle: FakeHandle,
    private readonly eventDelayMs: number,
  ) {}

  /** Plays the rest of the run, up to a question that waits for a person. */
  async play(): Promise<void> {
    const steps = this.running;
    if (!steps || steps.length === 0) return;
    this.running = null;
    for (const [index, step] of steps.entries()) {
      if (this.eventDelayMs > 0) await sleep(this.eventDelayMs);
      if (this.context.signal.aborted) return;
      if (!isAskStep(step)) {
        await this.context.publish(step);
        continue;
      }
      const outcome = this.asks.ask(this.context, step, steps.slice(index + 1));
      await this.publishAll(outcome.events);
      this.running = outcome.next ?? [];
      if (outcome.next !== null) void this.play();
      return;
    }
  }

  /** Asks a question outside any run (publishing `permission_request`). */
  async ask(question: FakeQuestion): Promise<AskResult> {
    const outcome = this.asks.ask(this.context, { ask: question, allowed: [], denied: [] }, []);
    await this.publishAll(outcome.events);
    if (outcome.next !== null) return { ok: false, reason: 'unsupported', message: 'the Runtime did not take the question; answered by policy' };
    return { ok: true, decisionId: String((outcome.events[0]!.data as { decision_id?: unknown }).decision_id) };
  }

  /** Delivers an answer; false for a question not open here. The run goes on by it. */
  async answer(answer: DecisionAnswer): Promise<boolean> {
    const outcome = this.asks.answer(answer);
    if (!outcome) return false;
    await this.publishAll(outcome.events);
    if (outcome.next && this.running !== null) {
      this.running = outcome.next;
      setImmediate(() => void this.play());
    }
    return true;
  }

  /** Ends the current run: open questions are answered `cancelled` (as ACP requires), then `run_end`. */
  async cancelRun(): Promise<void> {
    if (this.running === null) return;
    this.running = null;
    await this.publishAll(this.asks.cancelAll(this.context));
    await this.publishAll([
      { event: 'run_end', data: { result: 'finished', stop_reason: 'cancelled' } },
      { event: 'status', data: { status: 'idle' } },
    ]);
  }

  /** Before a stop: open questions are answered `cancelled`. */
  async end(): Promise<void> {
    await this.publishAll(this.asks.cancelAll(this.context));
  }

  private async publishAll(events: readonly unknown[]): Promise<void> {
    for (const event of events) await this.context.publish(event);
  }
}
