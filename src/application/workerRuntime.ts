import { inject, injectable, multiInject, optional } from 'inversify';
import type { OperationResult } from '../domain/executionResult.js';
import type { WorkerProjection } from '../domain/projection.js';
import type { WorkerRef } from '../domain/workerRef.js';
import { ClockPort } from '../ports/clockPort.js';
import { ExecutionBackendPort } from '../ports/executionBackendPort.js';
import { IdPort } from '../ports/idPort.js';
import { InputQueuePort } from '../ports/inputQueuePort.js';
import { ObservationPublisherPort } from '../ports/observationPublisherPort.js';
import { ObservationReaderPort } from '../ports/observationReaderPort.js';
import { WorkerCatalogPort } from '../ports/workerCatalogPort.js';
import { InputDispatch, type SubmitOptions } from './inputDispatch.js';
import type { LifecycleSubscription } from './lifecycleFeed.js';
import { QueuedInputs } from './queuedInputs.js';
import { QueueLifecycle } from './queueLifecycle.js';
import { QueueOperations } from './queueOperations.js';
import type { QueueOutcome, SubmissionOutcome } from './queueTypes.js';
import { RuntimeCore } from './runtimeCore.js';
import { RuntimeOptions } from './runtimeOptions.js';
import { RuntimeShutdown } from './runtimeShutdown.js';
import type { CreateOutcome, CreateRequest, ObserveOutcome, RuntimeSummary, TranscriptOutcome } from './runtimeTypes.js';
import { WorkerControl } from './workerControl.js';
import { WorkerCreation } from './workerCreation.js';
import { WorkerDecisions } from './workerDecisions.js';
import { WorkerObservation } from './workerObservation.js';

export * from './runtimeTypes.js';
export * from './queueTypes.js';
export type { SubmitOptions } from './inputDispatch.js';

/**
 * The application core: owns the Worker catalog, enforces the contract's invariants and talks only to
 * ports. Every operation returns a typed result; only bugs throw. A facade over its use cases
 * (create/restore, input, control, observation, decisions), which share one `RuntimeCore`.
 */
@injectable()
export class WorkerRuntime {
  private readonly creation: WorkerCreation;
  private readonly input: InputDispatch;
  private readonly control: WorkerControl;
  private readonly observation: WorkerObservation;
  private readonly stopping: RuntimeShutdown;
  private readonly decisions: WorkerDecisions;
  private readonly queueOps: QueueOperations;
  private readonly queueLife: QueueLifecycle;
  private readonly core: RuntimeCore;

  constructor(
    @inject(RuntimeOptions) options: RuntimeOptions,
    @multiInject(ExecutionBackendPort) @optional() backends: ExecutionBackendPort[] | undefined,
    @inject(ObservationPublisherPort) publisher: ObservationPublisherPort,
    @inject(ObservationReaderPort) reader: ObservationReaderPort,
    @inject(ClockPort) clock: ClockPort,
    @inject(IdPort) ids: IdPort,
    @inject(WorkerCatalogPort) catalog: WorkerCatalogPort,
    @inject(InputQueuePort) queue: InputQueuePort,
  ) {
    this.core = new RuntimeCore(options, backends ?? [], { publisher, reader, clock, ids, catalog });
    this.creation = new WorkerCreation(this.core);
    const queued = new QueuedInputs(this.core, queue, { commit: (record, input, submissionId) => this.input.commit(record, input, submissionId) });
    this.control = new WorkerControl(this.core);
    this.queueOps = new QueueOperations(queued, (workerId) => this.control.cancel(workerId));
    this.queueLife = new QueueLifecycle(queued);
    this.core.queueHooks = this.queueLife;
    this.input = new InputDispatch(this.core, queued, this.queueOps);
    this.observation = new WorkerObservation(this.core);
    this.stopping = new RuntimeShutdown(this.core, this.control.stopper);
    this.decisions = new WorkerDecisions(this.core);
    this.core.decisions = this.decisions;
  }

  get runtimeId(): string {
    return this.core.runtimeId;
  }

  /** Reserve, spawn, commit. Idempotent on a caller-supplied `workerId` with the same profile. */
  create(request: CreateRequest = {}): Promise<CreateOutcome> {
    return this.creation.create(request);
  }

  /**
   * Brings back this Runtime's Workers from the catalog after a restart, each with a run generation
   * above any it had. A backend that can reattach (`restore`) reconnects them; otherwise they come back
   * `unavailable` with a diagnostic (`restore_unsupported`, `execution_lost`, ...): never silently
   * connected, never silently gone. Stopped Workers stay stopped. Rejects if the catalog is unreachable.
   */
  async restoreWorkers(): Promise<OperationResult[]> {
    await this.queueLife.load(); // first: a restored Worker drains its queue as soon as it is connected
    const results = await this.creation.restoreWorkers();
    this.queueLife.afterRestore();
    return results;
  }

  /**
   * Submits one input. Accepted only for a connected, idle Worker, once the backend acknowledged the
   * Runtime's own submission id. Input to a busy Worker gets its busy policy (the profile's, or
   * `options.busyPolicy` where the profile allows it): `reject` answers `busy` (`run_in_flight`: single
   * flight); `enqueue` answers `queued` with a submission id and position and dispatches it later, in
   * order; `interrupt` cancels the current run and dispatches it next. `options.idempotencyKey`: a
   * repeat of a queued input gets its queued outcome again, never a second entry. A dispatch past its
   * deadline is `errored` (`dispatch_timeout`) and the Worker stays `busy` until the backend answers
   * it; that late answer is reconciled (see `ExecutionBackendPort.dispatchInput`).
   */
  submitInput(workerId: string, input: unknown, options?: SubmitOptions): Promise<OperationResult> {
    return this.input.submitInput(workerId, input, options);
  }

  /** The Worker's queue: its busy settings and the waiting inputs with their positions. */
  queue(workerId: string): QueueOutcome {
    return this.queueOps.queue(workerId);
  }

  /** A queued input by submission id: waiting (with its position), being dispatched, or its one final outcome. */
  submission(workerId: string, submissionId: string): SubmissionOutcome {
    return this.queueOps.submission(workerId, submissionId);
  }

  /** Cancels a queued input not yet handed to the backend (`cancelled`, once the store says so). */
  cancelQueued(workerId: string, submissionId: string): Promise<OperationResult> {
    return this.queueOps.cancel(workerId, submissionId);
  }

  /** Stops a Worker's execution through its backend, with the stop deadline; revokes its context. */
  stop(workerId: string): Promise<OperationResult> {
    return this.control.stop(workerId);
  }

  /** Asks the current run to end. The run's end arrives as events from the backend. */
  cancel(workerId: string): Promise<OperationResult> {
    return this.control.cancel(workerId);
  }

  /** Sends a worker-protocol method (pause, resume, compact, ...) to a connected Worker. */
  invokeMethod(workerId: string, method: unknown): Promise<OperationResult> {
    return this.control.invokeMethod(workerId, method);
  }

  /** The backend's current snapshot, browser-safe (host paths removed). The Runtime never makes one up. */
  snapshot(workerId: string): Promise<{ result: OperationResult; snapshot: Record<string, unknown> | null }> {
    return this.control.snapshot(workerId);
  }

  /**
   * Answers a question the Worker's backend put to a person (`pendingDecisions` on its projection) with
   * one of the options it offered. `accepted` (`decided`) once the backend delivered it; `rejected`
   * (`decision_not_found`, `decision_answered`, `option_not_offered`); `unsupported` when the backend
   * cannot ask; `errored` (`decide_timeout`) past `deadlines.decideMs`. Never delivered twice.
   */
  decide(workerId: string, decisionId: string, optionId: string): Promise<OperationResult> {
    return this.decisions.decide(workerId, decisionId, optionId);
  }

  /**
   * Forgets a Worker that is not live (stopped, unavailable, errored); its stream ends. A connected
   * Worker whose backend cannot stop it (no `stop`, or it answered `unsupported`) is released (its
   * context revoked) and forgotten too; any other live Worker must be stopped first (`worker_live`).
   */
  remove(workerId: string): Promise<OperationResult> {
    return this.control.remove(workerId);
  }

  get(workerId: string): WorkerProjection | null {
    return this.observation.get(workerId);
  }

  list(): WorkerProjection[] {
    return this.observation.list();
  }

  /** Subscribes to a Worker's observations, resuming exactly after `after` when given. */
  observe(workerId: string, options: { after?: string | null; queueLimit?: number } = {}): ObserveOutcome {
    return this.observation.observe(workerId, options);
  }

  /**
   * Observes a Worker of another Runtime that shares this bus and catalog (read-only: input and
   * control stay with the owning Runtime). A Worker of this Runtime is observed as by `observe`.
   */
  observeAcross(ref: WorkerRef, options: { after?: string | null; queueLimit?: number } = {}): Promise<ObserveOutcome> {
    return this.observation.observeAcross(ref, options);
  }

  /** The transcript, derived from the retained observation stream (one source of truth), browser-safe. */
  transcript(workerId: string): Promise<TranscriptOutcome> {
    return this.observation.transcript(workerId);
  }

  /**
   * Lifecycle changes (created, changed, removed) as projections; resumable with a lifecycle cursor.
   * `queueLimit`: unread changes this subscriber may hold before `lagged` (default: the Runtime's
   * `lifecycleSubscriberQueue`).
   */
  lifecycle(after?: string | null, options?: { readonly queueLimit?: number }): LifecycleSubscription {
    return this.observation.lifecycle(after, options);
  }

  profiles(): RuntimeSummary['profiles'] {
    return this.observation.profiles();
  }

  summary(): RuntimeSummary {
    return this.observation.summary();
  }

  /**
   * Stops every live execution through its backend (same deadlines), releases what a backend could
   * not stop (context revoked, `stopped` with diagnostic `execution_released`), disposes backends,
   * ends every subscription with a final frame. Every Worker ends in a final state. Idempotent.
   */
  shutdown(): Promise<void> {
    return this.stopping.run();
  }
}
