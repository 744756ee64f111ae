import { inject, injectable, multiInject, optional } from 'inversify';
import { z } from 'zod';
import { toBrowserEvent } from '../domain/browserFrame.js';
import { decodeCursor } from '../domain/cursor.js';
import { diagnostic, sanitizeDiagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { operationResult, type Operation, type OperationResult } from '../domain/executionResult.js';
import type { ObservationSubscription } from '../domain/observation.js';
import type { WorkerProjection } from '../domain/projection.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import { deriveTranscript, type TranscriptEntry } from '../domain/transcript.js';
import { WorkerInputSchema } from '../domain/workerInput.js';
import { WorkerMethodSchema } from '../domain/workerMethod.js';
import { RuntimeIdSchema, WorkerIdSchema, type WorkerRef } from '../domain/workerRef.js';
import { runStateAfterEvent, type RunState, type WorkerState } from '../domain/workerState.js';
import { ClockPort } from '../ports/clockPort.js';
import { ExecutionBackendPort, type SnapshotResult } from '../ports/executionBackendPort.js';
import { IdPort } from '../ports/idPort.js';
import { ObservationPublisherPort } from '../ports/observationPublisherPort.js';
import { ObservationReaderPort, type ReadResult } from '../ports/observationReaderPort.js';
import { CATALOG_ENTRY_CORRUPT, WorkerCatalogPort, type CatalogEntry } from '../ports/workerCatalogPort.js';
import { CatalogWriter } from './catalogWriter.js';
import { controlOutcome, thrownMessage } from './backendOutcome.js';
import { withDeadline } from './deadline.js';
import { GuardedContext } from './guardedContext.js';
import { LifecycleFeed, type LifecycleSubscription } from './lifecycleFeed.js';
import { ProfileNameSchema, RuntimeOptions } from './runtimeOptions.js';
import { WorkerRecord } from './workerRecord.js';
import { WorkerStarter } from './workerStarter.js';

export const CreateRequestSchema = z.strictObject({
  workerId: WorkerIdSchema.optional(),
  profile: ProfileNameSchema.default('default'),
  displayName: z.string().min(1).max(128).optional(),
});
export type CreateRequest = z.input<typeof CreateRequestSchema>;

export interface CreateOutcome {
  readonly result: OperationResult;
  readonly worker: WorkerProjection | null;
}

export type ObserveOutcome =
  | { readonly ok: true; readonly subscription: ObservationSubscription }
  | { readonly ok: false; readonly result: OperationResult };

export type TranscriptOutcome =
  | { readonly ok: true; readonly entries: TranscriptEntry[]; readonly complete: boolean }
  | { readonly ok: false; readonly result: OperationResult };

export interface RuntimeSummary {
  readonly runtimeId: string;
  readonly state: 'running' | 'stopping' | 'stopped';
  readonly workers: { readonly total: number; readonly byState: Partial<Record<WorkerState, number>> };
  readonly profiles: { readonly name: string; readonly displayName: string | null; readonly available: boolean }[];
}

const TRANSCRIPT_PAGE = 1000;

/**
 * The application core: owns the Worker catalog, enforces the contract's invariants and talks only to
 * ports. Every operation returns a typed result; only bugs throw.
 */
@injectable()
export class WorkerRuntime {
  private readonly workers = new Map<string, WorkerRecord>();
  private readonly lastGeneration = new Map<string, number>();
  private readonly backends = new Map<string, ExecutionBackendPort>();
  private readonly feed: LifecycleFeed;
  private readonly starter: WorkerStarter;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly catalogWriter: CatalogWriter;
  private status: RuntimeSummary['state'] = 'running';
  /** Off during shutdown: executions stopped for a restart must come back, not as `stopped`. */
  private persisting = true;
  private shutdownDone: Promise<void> | null = null;

  constructor(
    @inject(RuntimeOptions) private readonly options: RuntimeOptions,
    @multiInject(ExecutionBackendPort) @optional() backends: ExecutionBackendPort[] | undefined,
    @inject(ObservationPublisherPort) private readonly publisher: ObservationPublisherPort,
    @inject(ObservationReaderPort) private readonly reader: ObservationReaderPort,
    @inject(ClockPort) private readonly clock: ClockPort,
    @inject(IdPort) private readonly ids: IdPort,
    @inject(WorkerCatalogPort) private readonly catalog: WorkerCatalogPort,
  ) {
    for (const backend of backends ?? []) this.backends.set(backend.backendId, backend);
    this.catalogWriter = new CatalogWriter(catalog, options.runtimeId, () => [...this.workers.values()].forEach((r) => this.persist(r)));
    this.feed = new LifecycleFeed(ids.epoch(), options.lifecycleRetention);
    this.starter = new WorkerStarter(clock, options, (record) => this.changed(record));
  }

  get runtimeId(): string {
    return this.options.runtimeId;
  }

  /** Reserve, spawn, commit. Idempotent on a caller-supplied `workerId` with the same profile. */
  async create(request: CreateRequest = {}): Promise<CreateOutcome> {
    const parsed = CreateRequestSchema.safeParse(request);
    if (!parsed.success) return { result: invalid('create', parsed.error, null), worker: null };
    const { workerId, profile: profileName, displayName } = parsed.data;
    if (this.status !== 'running') return { result: operationResult('create', 'runtime_stopped', null), worker: null };
    const profile = this.options.profiles[profileName];
    if (!profile) {
      return { result: operationResult('create', 'profile_unknown', null, { message: `no profile named ${profileName}` }), worker: null };
    }
    const existing = workerId === undefined ? undefined : this.workers.get(workerId);
    if (existing) {
      const reason = existing.profile === profileName ? 'already_exists' : 'create_conflict';
      return { result: operationResult('create', reason, existing.state), worker: existing.projection };
    }
    const record = this.reserve(workerId ?? this.ids.workerId(), profileName, displayName ?? null);
    this.publisher.beginStream?.(record.ref); // a new Worker never continues a removed one's stream
    const backend = profile.backend === null ? undefined : this.backends.get(profile.backend);
    if (!backend) {
      const why = diagnostic('backend_not_configured', `profile ${profileName} has no execution backend configured`);
      this.makeUnavailable(record, why);
      const result = operationResult('create', 'execution_unavailable', record.state, { diagnostic: why, message: why.message });
      return { result, worker: record.projection };
    }
    record.backend = backend;
    record.context = this.contextFor(record);
    const result = await this.track(
      this.starter.spawn(record, { profile: profileName, profileOptions: profile.options, displayName: record.displayName }, () =>
        this.status === 'running' && this.workers.get(record.ref.workerId) === record,
      ),
    );
    return { result, worker: this.workers.has(record.ref.workerId) ? record.projection : null };
  }

  /**
   * Brings back this Runtime's Workers from the catalog after a restart, each with a run generation
   * above any it had. A backend that can reattach (`restore`) reconnects them; otherwise they come back
   * `unavailable` with a diagnostic (`restore_unsupported`, `execution_lost`, ...): never silently
   * connected, never silently gone. Stopped Workers stay stopped. Rejects if the catalog is unreachable.
   */
  async restoreWorkers(): Promise<OperationResult[]> {
    const entries = await this.catalog.load(this.runtimeId);
    return Promise.all(entries.filter((e) => !this.workers.has(e.workerId)).map((e) => this.track(this.restoreOne(e))));
  }

  private async restoreOne(entry: CatalogEntry): Promise<OperationResult> {
    this.lastGeneration.set(entry.workerId, Math.max(entry.runGeneration, this.lastGeneration.get(entry.workerId) ?? 0));
    const corrupt = entry.diagnostic?.code === CATALOG_ENTRY_CORRUPT ? entry.diagnostic : null;
    if (corrupt) this.catalogWriter.hold(entry.workerId); // kept as stored until the Worker is removed
    const record = this.reserve(entry.workerId, entry.profile, entry.displayName, entry.createdAt);
    record.restoreToken = entry.restoreToken;
    if (corrupt) {
      this.makeUnavailable(record, corrupt);
      return operationResult('restore', 'execution_unavailable', record.state, { diagnostic: corrupt, message: corrupt.message });
    }
    if (entry.state === 'stopped') {
      record.phase = 'stopped';
      this.changed(record);
      return operationResult('restore', 'already_stopped', record.state);
    }
    const profile = this.options.profiles[entry.profile];
    const backend = profile?.backend == null ? undefined : this.backends.get(profile.backend);
    if (!profile || !backend) {
      const why = diagnostic(profile ? 'backend_not_configured' : 'profile_unknown', `profile ${entry.profile} cannot execute Workers here`);
      this.makeUnavailable(record, why);
      return operationResult('restore', 'execution_unavailable', record.state, { diagnostic: why, message: why.message });
    }
    record.backend = backend;
    record.context = this.contextFor(record);
    const request = { profile: entry.profile, profileOptions: profile.options, displayName: entry.displayName, restoreToken: entry.restoreToken };
    return this.starter.restore(record, request, () => this.status === 'running' && this.workers.get(entry.workerId) === record);
  }

  /**
   * Submits one input. Accepted only for a connected, idle Worker, once the backend acknowledged the
   * Runtime's own submission id; racing callers get `busy` (single flight).
   */
  async submitInput(workerId: string, input: unknown): Promise<OperationResult> {
    const record = this.workers.get(workerId);
    const parsed = WorkerInputSchema.safeParse(input);
    if (!parsed.success) return invalid('input', parsed.error, record?.state ?? null);
    if (!record) return notFound('input');
    const refusal = this.refuseUnlessConnected('input', record);
    if (refusal) return refusal;
    if (record.inFlight || record.runState !== 'idle') return operationResult('input', 'run_in_flight', record.state);
    record.inFlight = true;
    const submissionId = this.ids.submissionId();
    const versionBefore = record.runStateVersion;
    const backend = record.backend!;
    try {
      const settled = await withDeadline(
        this.clock,
        this.options.deadlines.dispatchMs,
        (signal) => backend.dispatchInput(record.handle, parsed.data, submissionId, signal),
        undefined,
        record.dispatchControl(),
      );
      if (settled.kind === 'timeout') return operationResult('input', 'dispatch_timeout', record.state);
      if (settled.kind === 'threw') return operationResult('input', 'backend_error', record.state, { message: thrownMessage(settled.error) });
      const value = settled.value;
      switch (value?.status) {
        case 'accepted':
          if (value.submissionId !== submissionId) {
            return operationResult('input', 'commit_ack_mismatch', record.state, {
              message: 'the backend did not acknowledge this submission',
            });
          }
          if (record.runStateVersion === versionBefore) this.setRunState(record, value.state ?? 'busy');
          return operationResult('input', 'committed', record.state, { submissionId });
        case 'busy':
          return operationResult('input', 'backend_busy', record.state, value.message ? { message: sanitizeText(value.message, 256) } : {});
        case 'rejected': {
          const why = sanitizeDiagnostic(value.diagnostic);
          return operationResult('input', 'backend_rejected', record.state, { diagnostic: why, message: why.message });
        }
        default:
          return operationResult('input', 'backend_error', record.state, { message: 'backend returned an invalid result' });
      }
    } finally {
      record.inFlight = false;
    }
  }

  /** Stops a Worker's execution through its backend, with the stop deadline; revokes its context. */
  async stop(workerId: string): Promise<OperationResult> {
    const record = this.workers.get(workerId);
    if (!record) return notFound('stop');
    switch (record.phase) {
      case 'stopped':
        return operationResult('stop', 'already_stopped', record.state);
      case 'starting':
        return operationResult('stop', 'worker_starting', record.state);
      case 'stopping':
        return operationResult('stop', 'worker_stopping', record.state);
    }
    return this.track(this.stopRecord(record));
  }

  /** Asks the current run to end. The run's end arrives as events from the backend. */
  async cancel(workerId: string): Promise<OperationResult> {
    const record = this.workers.get(workerId);
    if (!record) return notFound('cancel');
    const refusal = this.refuseUnlessConnected('cancel', record);
    if (refusal) return refusal;
    const backend = record.backend!;
    if (!backend.cancel) return operationResult('cancel', 'operation_unsupported', record.state);
    if (record.runState === 'idle' && !record.inFlight) return operationResult('cancel', 'not_running', record.state);
    const settled = await withDeadline(this.clock, this.options.deadlines.cancelMs, (signal) => backend.cancel!(record.handle, signal));
    return controlOutcome('cancel', settled, record.state, 'cancelled', 'cancel_timeout');
  }

  /** Sends a worker-protocol method (pause, resume, compact, ...) to a connected Worker. */
  async invokeMethod(workerId: string, method: unknown): Promise<OperationResult> {
    const record = this.workers.get(workerId);
    const parsed = WorkerMethodSchema.safeParse(method);
    if (!parsed.success) return invalid('method', parsed.error, record?.state ?? null);
    if (!record) return notFound('method');
    const refusal = this.refuseUnlessConnected('method', record);
    if (refusal) return refusal;
    const backend = record.backend!;
    if (!backend.dispatchMethod) return operationResult('method', 'operation_unsupported', record.state);
    const settled = await withDeadline(this.clock, this.options.deadlines.methodMs, (signal) =>
      backend.dispatchMethod!(record.handle, parsed.data, signal),
    );
    return controlOutcome('method', settled, record.state, 'dispatched', 'method_timeout');
  }

  /** The backend's current snapshot, browser-safe (host paths removed). The Runtime never makes one up. */
  async snapshot(workerId: string): Promise<{ result: OperationResult; snapshot: Record<string, unknown> | null }> {
    const record = this.workers.get(workerId);
    if (!record) return { result: notFound('snapshot'), snapshot: null };
    const refusal = this.refuseUnlessConnected('snapshot', record);
    if (refusal) return { result: refusal, snapshot: null };
    const backend = record.backend!;
    if (!backend.snapshot) return { result: operationResult('snapshot', 'operation_unsupported', record.state), snapshot: null };
    const settled = await withDeadline(this.clock, this.options.deadlines.snapshotMs, (signal) => backend.snapshot!(record.handle, signal));
    if (settled.kind === 'ok' && settled.value?.status === 'ready') {
      const safe = toBrowserEvent({ event: 'snapshot', data: settled.value.snapshot }).data as Record<string, unknown>;
      return { result: operationResult('snapshot', 'snapshot', record.state), snapshot: safe };
    }
    const asControl = settled.kind === 'ok' ? { ...settled, value: settled.value as Exclude<SnapshotResult, { status: 'ready' }> } : settled;
    return { result: controlOutcome('snapshot', asControl, record.state, 'snapshot', 'snapshot_timeout'), snapshot: null };
  }

  /** Forgets a Worker that is not live (stopped, unavailable, errored); its stream ends. */
  async remove(workerId: string): Promise<OperationResult> {
    const record = this.workers.get(workerId);
    if (!record) return notFound('remove');
    if (record.phase === 'starting' || record.phase === 'connected' || record.phase === 'stopping') {
      return operationResult('remove', 'worker_live', record.state, { message: 'stop the Worker before removing it' });
    }
    if (record.hasHandle && record.backend?.stop) {
      const backend = record.backend;
      await withDeadline(this.clock, this.options.deadlines.stopMs, (signal) => backend.stop!(record.handle, signal));
    }
    record.detach();
    this.workers.delete(workerId);
    this.catalogWriter.write(workerId, () => null);
    await this.reader.drop(record.ref, 'worker_removed');
    this.feed.emit({ type: 'worker_removed', worker: record.projection });
    return operationResult('remove', 'removed', null);
  }

  get(workerId: string): WorkerProjection | null {
    return this.workers.get(workerId)?.projection ?? null;
  }

  list(): WorkerProjection[] {
    return [...this.workers.values()].map((record) => record.projection);
  }

  /** Subscribes to a Worker's observations, resuming exactly after `after` when given. */
  observe(workerId: string, options: { after?: string | null; queueLimit?: number } = {}): ObserveOutcome {
    const record = this.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    if (options.after != null && decodeCursor(options.after) === null) {
      return { ok: false, result: operationResult('observe', 'invalid_request', record.state, { message: 'not a cursor' }) };
    }
    return { ok: true, subscription: this.reader.subscribe(record.ref, options) };
  }

  /**
   * Observes a Worker of another Runtime that shares this bus and catalog (read-only: input and
   * control stay with the owning Runtime). A Worker of this Runtime is observed as by `observe`.
   */
  async observeAcross(ref: WorkerRef, options: { after?: string | null; queueLimit?: number } = {}): Promise<ObserveOutcome> {
    if (ref.runtimeId === this.runtimeId) return this.observe(ref.workerId, options);
    if (!RuntimeIdSchema.safeParse(ref.runtimeId).success || !WorkerIdSchema.safeParse(ref.workerId).success) {
      return { ok: false, result: operationResult('observe', 'invalid_request', null, { message: 'not a Worker reference' }) };
    }
    const entry = await this.catalog.get(ref.runtimeId, ref.workerId).catch(() => undefined);
    if (entry === undefined) return { ok: false, result: storeUnavailable('the Worker catalog cannot be reached') };
    if (!entry) return { ok: false, result: notFound('observe') };
    if (options.after != null && decodeCursor(options.after) === null) {
      return { ok: false, result: operationResult('observe', 'invalid_request', entry.state, { message: 'not a cursor' }) };
    }
    return { ok: true, subscription: this.reader.subscribe({ runtimeId: ref.runtimeId, workerId: ref.workerId }, options) };
  }

  /** The transcript, derived from the retained observation stream (one source of truth), browser-safe. */
  async transcript(workerId: string): Promise<TranscriptOutcome> {
    const record = this.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    const observations = [];
    let after: string | null = null;
    let skipped = false;
    for (;;) {
      const page: ReadResult | null = await this.reader.read(record.ref, { after, limit: TRANSCRIPT_PAGE }).catch(() => null);
      if (!page) return { ok: false, result: storeUnavailable('the observation store cannot be reached') };
      if (page.status !== 'ok') break; // retention moved under us: what was read stays consistent
      observations.push(...page.observations);
      skipped ||= (page.gaps?.length ?? 0) > 0; // undecodable entries: the transcript has holes
      if (page.observations.length < TRANSCRIPT_PAGE) break;
      after = page.next;
    }
    const safe = observations.map((o) => ({ ...o, event: toBrowserEvent(o.event) }));
    const complete = !skipped && (observations.length === 0 || observations[0]!.sequence === 1);
    return { ok: true, entries: deriveTranscript(safe), complete };
  }

  /** Lifecycle changes (created, changed, removed) as projections; resumable with a lifecycle cursor. */
  lifecycle(after?: string | null): LifecycleSubscription {
    return this.feed.subscribe(after);
  }

  profiles(): RuntimeSummary['profiles'] {
    return Object.entries(this.options.profiles).map(([name, profile]) => ({
      name,
      displayName: profile.displayName ?? null,
      available: profile.backend !== null && this.backends.has(profile.backend),
    }));
  }

  summary(): RuntimeSummary {
    const byState: Partial<Record<WorkerState, number>> = {};
    for (const record of this.workers.values()) byState[record.state] = (byState[record.state] ?? 0) + 1;
    return { runtimeId: this.runtimeId, state: this.status, workers: { total: this.workers.size, byState }, profiles: this.profiles() };
  }

  /**
   * Stops every live execution through its backend (same deadlines), disposes backends, ends every
   * subscription with a final frame. Idempotent.
   */
  shutdown(): Promise<void> {
    this.shutdownDone ??= this.runShutdown();
    return this.shutdownDone;
  }

  private async runShutdown(): Promise<void> {
    this.status = 'stopping';
    await Promise.allSettled([...this.pending]);
    await this.catalogWriter.flush(this.options.deadlines.catalogFlushMs); // bounded: the store may be away
    this.persisting = false;
    const live = [...this.workers.values()].filter((r) => r.hasHandle && r.phase !== 'stopped' && r.phase !== 'stopping');
    await Promise.allSettled(live.map((record) => this.stopRecord(record)));
    await Promise.allSettled([...this.pending]);
    for (const record of this.workers.values()) record.context?.revoke();
    const { stopMs } = this.options.deadlines;
    await Promise.allSettled(
      [...this.backends.values()].map((b) => (b.dispose ? withDeadline(this.clock, stopMs, (signal) => b.dispose!(signal)) : null)),
    );
    await this.reader.close();
    this.catalogWriter.close();
    this.feed.close();
    this.status = 'stopped';
  }

  private async stopRecord(record: WorkerRecord): Promise<OperationResult> {
    const backend = record.backend;
    if (!record.hasHandle || !backend) {
      record.detach();
      record.phase = 'stopped';
      this.changed(record);
      return operationResult('stop', 'stopped', record.state);
    }
    if (!backend.stop) return operationResult('stop', 'operation_unsupported', record.state);
    const before = record.phase;
    record.phase = 'stopping';
    this.changed(record);
    const settled = await withDeadline(this.clock, this.options.deadlines.stopMs, (signal) => backend.stop!(record.handle, signal));
    const result = controlOutcome('stop', settled, null, 'stopped', 'stop_timeout');
    if (result.outcome === 'accepted') {
      record.detach();
      record.phase = 'stopped';
      record.diagnostic = null;
    } else if (result.outcome === 'errored') {
      // The execution's condition is unknown: keep the handle (a later stop or shutdown retries it).
      record.context?.revoke();
      record.phase = 'errored';
      record.diagnostic = diagnostic(result.reason, result.message ?? 'stop failed');
    } else {
      record.phase = before;
    }
    this.changed(record);
    return { ...result, state: record.state };
  }

  private refuseUnlessConnected(operation: Operation, record: WorkerRecord): OperationResult | null {
    if (this.status !== 'running') return operationResult(operation, 'runtime_stopped', record.state);
    switch (record.phase) {
      case 'connected':
        return null;
      case 'starting':
        return operationResult(operation, 'worker_starting', record.state);
      case 'stopping':
        return operationResult(operation, 'worker_stopping', record.state);
      case 'stopped':
        return operationResult(operation, 'worker_stopped', record.state);
      default: {
        const why = record.diagnostic ?? diagnostic('execution_unavailable', 'no live execution');
        return operationResult(operation, 'execution_unavailable', record.state, { diagnostic: why, message: why.message });
      }
    }
  }

  private reserve(workerId: string, profile: string, displayName: string | null, createdAt = this.clock.now()): WorkerRecord {
    const generation = (this.lastGeneration.get(workerId) ?? 0) + 1;
    this.lastGeneration.set(workerId, generation);
    const ref = { runtimeId: this.runtimeId, workerId };
    const record = new WorkerRecord(ref, profile, displayName, generation, createdAt);
    this.workers.set(workerId, record);
    this.feed.emit({ type: 'worker_created', worker: record.projection });
    this.persist(record);
    return record;
  }

  private persist(record: WorkerRecord): void {
    if (!this.persisting) return;
    this.catalogWriter.write(record.ref.workerId, () => (this.workers.get(record.ref.workerId) === record ? record.catalogEntry : null));
  }

  private contextFor(record: WorkerRecord): GuardedContext {
    return new GuardedContext(
      record.ref,
      record.runGeneration,
      {
        publish: (event, publishOptions) => {
          if (!publishOptions.history) {
            const next = runStateAfterEvent(event.event, event.data);
            if (next) {
              record.runStateVersion++;
              this.setRunState(record, next);
            }
          }
          return this.publisher.publish(record.ref, event, publishOptions).catch((error: unknown) => ({
            ok: false as const,
            reason: 'bus_error' as const,
            message: sanitizeText(String((error as Error)?.message ?? error), 256),
          }));
        },
        lost: (why) => {
          if (record.phase !== 'connected' && record.phase !== 'unavailable') return;
          this.makeUnavailable(record, sanitizeDiagnostic(why, 'execution_lost'));
        },
        restored: (state) => {
          if (record.phase !== 'unavailable' || !record.hasHandle) return;
          record.phase = 'connected';
          record.diagnostic = null;
          record.runState = state;
          this.changed(record);
        },
      },
      this.options.maxEventBytes,
    );
  }

  private setRunState(record: WorkerRecord, state: RunState): void {
    if (record.runState === state) return;
    record.runState = state;
    if (record.phase === 'connected') this.changed(record);
  }

  private makeUnavailable(record: WorkerRecord, why: Diagnostic): void {
    record.phase = 'unavailable';
    record.diagnostic = why;
    this.changed(record);
  }

  private changed(record: WorkerRecord): void {
    record.updatedAt = this.clock.now();
    if (this.workers.get(record.ref.workerId) !== record) return;
    this.feed.emit({ type: 'worker_changed', worker: record.projection });
    this.persist(record);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    return work.finally(() => this.pending.delete(work));
  }
}

function notFound(operation: Operation): OperationResult {
  return operationResult(operation, 'worker_not_found', null);
}

function storeUnavailable(message: string): OperationResult {
  return operationResult('observe', 'store_unavailable', null, { message });
}

function invalid(operation: Operation, error: z.ZodError, state: WorkerState | null): OperationResult {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return operationResult(operation, 'invalid_request', state, { message: sanitizeText(`${where}${issue?.message ?? 'invalid'}`, 256) });
}
