import { diagnostic, sanitizeDiagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult, type Reason } from '../domain/executionResult.js';
import type { ClockPort } from '../ports/clockPort.js';
import type { ExecutionBackendPort, RestoreRequest, RestoreResult, SpawnRequest } from '../ports/executionBackendPort.js';
import { thrownMessage } from './backendOutcome.js';
import { withDeadline } from './deadline.js';
import type { RuntimeOptions } from './runtimeOptions.js';
import type { WorkerRecord } from './workerRecord.js';

/**
 * The spawn step of create (reserve, spawn, commit) and its twin, restore after a restart. A Worker
 * is committed as connected only on a `ready` answer within the deadline; anything else leaves it
 * `unavailable` with a sanitised diagnostic and no handle. A `ready` that arrives too late, or after
 * the Worker stopped being wanted, is stopped at once so nothing is orphaned.
 */
export class WorkerStarter {
  constructor(
    private readonly clock: ClockPort,
    private readonly options: RuntimeOptions,
    private readonly changed: (record: WorkerRecord) => void,
  ) {}

  spawn(record: WorkerRecord, request: SpawnRequest, stillWanted: () => boolean): Promise<OperationResult> {
    const backend = record.backend!;
    return this.start(record, 'create', this.options.deadlines.spawnMs, stillWanted, (signal) => backend.spawn(request, record.context!, signal));
  }

  restore(record: WorkerRecord, request: RestoreRequest, stillWanted: () => boolean): Promise<OperationResult> {
    const backend = record.backend!;
    if (!backend.restore) {
      return Promise.resolve(this.fail(record, 'restore', 'operation_unsupported', diagnostic('restore_unsupported', 'the backend cannot reattach to this Worker after a restart')));
    }
    return this.start(record, 'restore', this.options.deadlines.restoreMs, stillWanted, (signal) => backend.restore!(request, record.context!, signal));
  }

  private async start(
    record: WorkerRecord,
    operation: 'create' | 'restore',
    deadlineMs: number,
    stillWanted: () => boolean,
    call: (signal: AbortSignal) => Promise<RestoreResult>,
  ): Promise<OperationResult> {
    const backend = record.backend!;
    const versionBefore = record.runStateVersion;
    const settled = await withDeadline(this.clock, deadlineMs, call, (late) => this.release(backend, late));
    const lost = operation === 'restore' ? 'execution_lost' : null;
    if (settled.kind === 'timeout') {
      const reason = operation === 'restore' ? 'restore_timeout' : 'spawn_timeout';
      return this.fail(record, operation, reason, diagnostic(lost ?? reason, 'the backend did not start the Worker in time'));
    }
    if (settled.kind === 'threw') {
      const reason = operation === 'restore' ? 'backend_error' : 'spawn_failed';
      return this.fail(record, operation, reason, diagnostic(lost ?? 'spawn_failed', thrownMessage(settled.error)));
    }
    const value = settled.value;
    if (value?.status === 'unsupported' && operation === 'restore') {
      return this.fail(record, operation, 'operation_unsupported', diagnostic('restore_unsupported', 'the backend cannot reattach to this Worker'));
    }
    if (value?.status === 'rejected') return this.fail(record, operation, 'spawn_rejected', sanitizeDiagnostic(value.diagnostic));
    if (value?.status !== 'ready') {
      return this.fail(record, operation, 'spawn_failed', diagnostic(lost ?? 'spawn_failed', 'backend returned an invalid result'));
    }
    if (!stillWanted()) {
      this.release(backend, value);
      record.detach();
      record.phase = 'stopped';
      this.changed(record);
      return operationResult(operation, 'runtime_stopped', record.state);
    }
    record.attach(value.handle);
    record.restoreToken = value.restoreToken ?? null;
    record.phase = 'connected';
    if (record.runStateVersion === versionBefore) record.runState = value.state ?? 'idle';
    this.changed(record);
    return operationResult(operation, operation === 'restore' ? 'restored' : 'created', record.state);
  }

  private fail(record: WorkerRecord, operation: 'create' | 'restore', reason: Reason, why: Diagnostic): OperationResult {
    record.detach();
    record.phase = 'unavailable';
    record.diagnostic = why;
    this.changed(record);
    return operationResult(operation, reason, record.state, { diagnostic: why, message: why.message });
  }

  /** Stops an execution nobody will use (late or unwanted). Best effort, bounded. */
  private release(backend: ExecutionBackendPort, result: RestoreResult): void {
    if (result?.status !== 'ready' || !backend.stop) return;
    const signal = AbortSignal.timeout(this.options.deadlines.stopMs);
    backend.stop(result.handle, signal).catch(() => undefined);
  }
}
