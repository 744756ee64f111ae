import { diagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { operationResult, type Operation, type OperationResult } from '../domain/executionResult.js';
import type { RunState } from '../domain/workerState.js';
import type { ClockPort } from '../ports/clockPort.js';
import type { ExecutionBackendPort } from '../ports/executionBackendPort.js';
import type { IdPort } from '../ports/idPort.js';
import type { ObservationPublisherPort } from '../ports/observationPublisherPort.js';
import type { ObservationReaderPort } from '../ports/observationReaderPort.js';
import type { WorkerCatalogPort } from '../ports/workerCatalogPort.js';
import { CatalogWriter } from './catalogWriter.js';
import { GuardedContext } from './guardedContext.js';
import { LifecycleFeed } from './lifecycleFeed.js';
import type { QueueHooks } from './queueHooks.js';
import type { Profile, RuntimeOptions } from './runtimeOptions.js';
import type { RuntimeSummary } from './runtimeTypes.js';
import { NO_DECISIONS, WorkerContextSink, type DecisionAsks } from './workerContextSink.js';
import { WorkerRecord } from './workerRecord.js';

/** The ports a Runtime talks to. */
export interface RuntimePorts {
  readonly publisher: ObservationPublisherPort;
  readonly reader: ObservationReaderPort;
  readonly clock: ClockPort;
  readonly ids: IdPort;
  readonly catalog: WorkerCatalogPort;
}

/**
 * What every use case of the Runtime shares: the Worker records, the backends by id, the lifecycle
 * feed, the catalog writer, and the steps that keep them consistent (reserve, change, persist).
 */
export class RuntimeCore {
  readonly workers = new Map<string, WorkerRecord>();
  readonly lastGeneration = new Map<string, number>();
  readonly backends = new Map<string, ExecutionBackendPort>();
  readonly feed: LifecycleFeed;
  readonly pending = new Set<Promise<unknown>>();
  readonly catalogWriter: CatalogWriter;
  /** Where questions backends put to a person go (the decisions use case, wired by the facade). */
  decisions: DecisionAsks = NO_DECISIONS;
  status: RuntimeSummary['state'] = 'running';
  /** Off during shutdown: executions stopped for a restart must come back, not as `stopped`. */
  persisting = true;
  /** The input queues (busy policies), told of every Worker change, removal, store loss and shutdown. */
  queueHooks: QueueHooks | null = null;

  constructor(
    readonly options: RuntimeOptions,
    backends: readonly ExecutionBackendPort[],
    readonly ports: RuntimePorts,
  ) {
    for (const backend of backends) {
      // The composition root refuses this with a ConfigError; a Runtime built otherwise must not guess either.
      if (this.backends.has(backend.backendId)) throw new Error(`two execution backends share backendId "${backend.backendId}"`);
      this.backends.set(backend.backendId, backend);
    }
    // When the store reports lost writes (it came back older), every Worker's entry is written again.
    this.catalogWriter = new CatalogWriter(ports.catalog, options.runtimeId, () => {
      [...this.workers.values()].forEach((r) => this.persist(r));
      this.queueHooks?.rewrite();
    });
    this.feed = new LifecycleFeed(ports.ids.epoch(), options.lifecycleRetention, options.lifecycleSubscriberQueue);
  }

  get runtimeId(): string {
    return this.options.runtimeId;
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** The profile of that name; never a property of Object.prototype (`constructor`, ...). */
  profile(name: string): Profile | undefined {
    return Object.hasOwn(this.options.profiles, name) ? this.options.profiles[name] : undefined;
  }

  /** True while `record` is the Worker of its id here (not removed, not replaced). */
  isCurrent(record: WorkerRecord): boolean {
    return this.workers.get(record.ref.workerId) === record;
  }

  reserve(workerId: string, profile: string, displayName: string | null, createdAt = this.ports.clock.now()): WorkerRecord {
    const generation = (this.lastGeneration.get(workerId) ?? 0) + 1;
    this.lastGeneration.set(workerId, generation);
    const ref = Object.freeze({ runtimeId: this.runtimeId, workerId });
    const record = new WorkerRecord(ref, profile, displayName, generation, createdAt);
    record.busyPolicy = this.profile(profile)?.busy.policy ?? this.options.busyPolicy;
    this.workers.set(workerId, record);
    this.feed.emit({ type: 'worker_created', worker: record.projection });
    this.persist(record);
    return record;
  }

  persist(record: WorkerRecord): void {
    if (!this.persisting) return;
    this.catalogWriter.write(record.ref.workerId, () => (this.isCurrent(record) ? record.catalogEntry : null));
  }

  /** A new context for the Worker's current connection, reporting to the Worker's own record. */
  contextFor(record: WorkerRecord): GuardedContext {
    const sink = new WorkerContextSink(this, record);
    sink.context = new GuardedContext(record.ref, record.runGeneration, sink, this.options.maxEventBytes);
    return sink.context;
  }

  setRunState(record: WorkerRecord, state: RunState): void {
    if (record.runState === state) return;
    record.runState = state;
    if (record.phase === 'connected') this.changed(record);
  }

  makeUnavailable(record: WorkerRecord, why: Diagnostic): void {
    record.decisions.closeAll(); // nobody can answer the lost execution's questions
    record.phase = 'unavailable';
    record.diagnostic = why;
    this.changed(record);
  }

  changed(record: WorkerRecord): void {
    record.updatedAt = this.ports.clock.now();
    if (!this.isCurrent(record)) return;
    this.feed.emit({ type: 'worker_changed', worker: record.projection });
    this.persist(record);
    this.queueHooks?.changed(record);
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    return work.finally(() => this.pending.delete(work));
  }

  /** Null when `record` is connected and the Runtime running; otherwise the typed refusal. */
  refuseUnlessConnected(operation: Operation, record: WorkerRecord): OperationResult | null {
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
}
