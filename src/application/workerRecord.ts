import type { BusyPolicy } from '../domain/busyPolicy.js';
import type { Diagnostic } from '../domain/diagnostic.js';
import { RunEnds } from '../domain/runEnds.js';
import { toProjection, type WorkerProjection } from '../domain/projection.js';
import type { WorkerRef } from '../domain/workerRef.js';
import type { RunState, WorkerState } from '../domain/workerState.js';
import type { ExecutionBackendPort, ExecutionHandle } from '../ports/executionBackendPort.js';
import type { CatalogEntry } from '../ports/workerCatalogPort.js';
import { DecisionBook } from './decisionBook.js';
import type { GuardedContext } from './guardedContext.js';

/** Where a Worker is in its life; `connected` shows as its run state (idle, busy, paused). */
export type Phase = 'starting' | 'connected' | 'stopping' | 'stopped' | 'unavailable' | 'errored';

/** The kinds of per-Worker backend call a timed-out one blocks until it settles. */
export type CallKind = 'input' | 'cancel' | 'method' | 'snapshot' | 'stop';

/** The Runtime's private record of one Worker. Never serialised: projections are built from it. */
export class WorkerRecord {
  phase: Phase = 'starting';
  /** The run state the backend last reported (through a result or an observed event). */
  runState: RunState = 'idle';
  /** Bumped whenever an observed event sets `runState`, so a slower result never overrides it. */
  runStateVersion = 0;
  /** Ties end-of-run events to their run: a late one of the run before never ends the current one. */
  readonly runEnds = new RunEnds();
  diagnostic: Diagnostic | null = null;
  backend: ExecutionBackendPort | null = null;
  handle: ExecutionHandle = undefined;
  hasHandle = false;
  context: GuardedContext | null = null;
  /** An input is being dispatched: the single-flight lock. */
  inFlight = false;
  /**
   * Calls that timed out and have not settled yet, each with the token of its attempt: a deadline is
   * not an answer, so no second call of that kind goes out meanwhile. Cleared when the execution is released.
   */
  outstanding: Map<CallKind, object> | null = null;
  /** The backend answered a stop `unsupported`: like a backend without `stop`, remove releases the execution instead. */
  stopUnsupported = false;
  restoreToken: string | null = null;
  /** Questions the backend put to a person; closed when the execution is released or lost. */
  readonly decisions = new DecisionBook();
  updatedAt: number;
  /** Inputs waiting in this Worker's queue, and its profile's busy policy (both shown in the projection). */
  queueLength = 0;
  busyPolicy: BusyPolicy = 'reject';
  private dispatchController: AbortController | null = null;

  constructor(
    readonly ref: WorkerRef,
    readonly profile: string,
    readonly displayName: string | null,
    readonly runGeneration: number,
    readonly createdAt: number,
  ) {
    this.updatedAt = createdAt;
  }

  get state(): WorkerState {
    if (this.phase !== 'connected') return this.phase;
    return this.decisions.awaitingPerson ? 'requires_action' : this.runState;
  }

  get projection(): WorkerProjection {
    return toProjection({
      runtimeId: this.ref.runtimeId,
      workerId: this.ref.workerId,
      profile: this.profile,
      displayName: this.displayName,
      state: this.state,
      diagnostic: this.diagnostic,
      pendingDecisions: this.phase === 'connected' ? this.decisions.pending : [],
      runGeneration: this.runGeneration,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      queueLength: this.queueLength,
      busyPolicy: this.busyPolicy,
    });
  }

  /** What the catalog keeps of this Worker (no handle, nothing backend-internal but its restore token). */
  get catalogEntry(): CatalogEntry {
    return {
      workerId: this.ref.workerId,
      profile: this.profile,
      displayName: this.displayName,
      state: this.state,
      diagnostic: this.diagnostic,
      runGeneration: this.runGeneration,
      restoreToken: this.restoreToken,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  /**
   * The controller for this Worker's dispatches: shared by successive (never concurrent: single
   * flight) dispatches until a deadline aborts it. Creating one per input was the largest cost of
   * `submitInput`.
   */
  dispatchControl(): AbortController {
    if (!this.dispatchController || this.dispatchController.signal.aborted) this.dispatchController = new AbortController();
    return this.dispatchController;
  }

  attach(handle: ExecutionHandle): void {
    this.handle = handle;
    this.hasHandle = true;
  }

  /** Whether a timed-out call of this kind is still outstanding at the backend. */
  awaits(kind: CallKind): boolean {
    return this.outstanding?.has(kind) === true;
  }

  /** Releases the execution: no handle, the context revoked, nothing outstanding any more, no open question. */
  detach(): void {
    this.decisions.closeAll();
    this.handle = undefined;
    this.hasHandle = false;
    this.context?.revoke();
    this.context = null;
    this.outstanding = null;
    this.inFlight = false;
  }
}
