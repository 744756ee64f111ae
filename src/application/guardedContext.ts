import type { DecidedBy } from '../domain/decision.js';
import { sanitizeDiagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { checkProtocolEvent, isRefusal, lastCheckedBytes, type EventRefusal, type ProtocolEvent } from '../domain/protocolEvent.js';
import type { WorkerRef } from '../domain/workerRef.js';
import { RunStateSchema, type RunState } from '../domain/workerState.js';
import type { AskResult, ExecutionContext, PublishOptions, PublishResult } from '../ports/executionContext.js';

/** What a context reports back to the Runtime; called only while the context may. */
export interface ContextSink {
  /** Records the event's effect on run state, then appends it to the bus (`bytes`: its JSON size). */
  publish(event: ProtocolEvent, options: PublishOptions, bytes?: number): Promise<PublishResult>;
  /**
   * The execution is gone (`diagnostic` already sanitised); false when the Worker does not take the
   * report. `again`: a context already lost refines why (the Worker stays `unavailable`).
   */
  lost(diagnostic: Diagnostic, again: boolean): boolean;
  /** The execution is back in `state`: the new context, or undefined when the Worker cannot take it back. */
  restored(state: RunState): ExecutionContext | undefined;
  /** The backend reported a restore in a state that is not a run state. */
  malformedRestore(): void;
  /** Opens a question for a person (the raw question is parsed there); never throws. */
  ask(question: unknown): AskResult;
  /** The backend ended an open question itself. */
  closeDecision(decisionId: string, decidedBy: Exclude<DecidedBy, 'person'>): void;
}

const CLOSED_BY: ReadonlySet<unknown> = new Set(['policy', 'timeout', 'cancelled']);
const ASK_REVOKED: AskResult = { ok: false, reason: 'revoked', message: 'execution context revoked' };

const REVOKED: PublishResult = { ok: false, reason: 'revoked', message: 'execution context revoked' };
const UNREADABLE: PublishResult = { ok: false, reason: 'invalid_event', message: 'the event could not be read' };
const NO_HISTORY: PublishOptions = { history: false };
const HISTORY: PublishOptions = { history: true };

/**
 * The execution context of one Worker connection. The Worker is a frozen copy fixed at construction,
 * so a backend cannot publish for another Worker. Lifecycle: `live`, then either `revoked` (stop,
 * removal, failed spawn, shutdown: every call refused, so a stale backend cannot write into a
 * recreated Worker of the same id) or `lost` (the backend reported the execution gone: publishing is
 * refused as `revoked`, and the one call left is `reportRestored`, which hands out a new context and
 * revokes this one).
 */
export class GuardedContext implements ExecutionContext {
  private readonly controller = new AbortController();
  /** Mirrors `controller.signal.aborted` (set on each abort below): a field read per publish, not two getters. */
  private aborted = false;
  private lostState = false;
  /** A frozen copy: the Runtime routes by its own record, and a backend cannot retarget this one. */
  readonly worker: WorkerRef;

  constructor(
    worker: WorkerRef,
    readonly runGeneration: number,
    private readonly sink: ContextSink,
    private readonly maxEventBytes: number,
  ) {
    this.worker = Object.freeze({ runtimeId: worker.runtimeId, workerId: worker.workerId });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Refuses publishing: revoked, or lost. */
  get revoked(): boolean {
    return this.aborted;
  }

  publish(event: unknown, options?: PublishOptions): Promise<PublishResult> {
    if (this.revoked) return Promise.resolve(REVOKED);
    let checked: ProtocolEvent | EventRefusal;
    let history: boolean;
    try {
      // Reading a backend's object may throw (getters, proxies): that is a refusal, never a throw.
      checked = checkProtocolEvent(event, this.maxEventBytes);
      history = options != null && (options as { history?: unknown }).history === true;
    } catch {
      return Promise.resolve(UNREADABLE);
    }
    if (isRefusal(checked)) return Promise.resolve({ ok: false, reason: checked.reason, message: checked.message });
    return this.sink.publish(checked, history ? HISTORY : NO_HISTORY, lastCheckedBytes());
  }

  reportLost(diagnostic: Diagnostic): void {
    if (this.revoked && !this.lostState) return;
    if (!this.sink.lost(sanitizeDiagnostic(diagnostic, 'execution_lost'), this.lostState)) return;
    this.lostState = true;
    this.abort();
  }

  reportRestored(state: RunState): ExecutionContext | undefined {
    if (!this.lostState) return undefined;
    const parsed = RunStateSchema.safeParse(state);
    if (!parsed.success) {
      this.sink.malformedRestore();
      return undefined;
    }
    const next = this.sink.restored(parsed.data);
    if (next) this.lostState = false; // one restore per loss; this context stays revoked
    return next;
  }

  ask(question: unknown): AskResult {
    if (this.revoked) return ASK_REVOKED;
    return this.sink.ask(question);
  }

  closeDecision(decisionId: string, decidedBy: Exclude<DecidedBy, 'person'>): void {
    // Checked by hand: a backend may pass anything here.
    if (this.revoked || typeof decisionId !== 'string' || !CLOSED_BY.has(decidedBy)) return;
    this.sink.closeDecision(decisionId, decidedBy);
  }

  revoke(): void {
    this.lostState = false;
    if (!this.revoked) this.abort();
  }

  private abort(): void {
    this.aborted = true;
    this.controller.abort();
  }
}
