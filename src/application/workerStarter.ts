import { diagnostic, sanitizeDiagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult, type Reason } from '../domain/executionResult.js';
import type { ClockPort } from '../ports/clockPort.js';
import type { ExecutionBackendPort, SpawnRequest, SpawnResult } from '../ports/executionBackendPort.js';
import { thrownMessage } from './backendOutcome.js';
import { withDeadline } from './deadline.js';
import type { RuntimeOptions } from './runtimeOptions.js';
import type { WorkerRecord } from './workerRecord.js';

/**
 * The spawn step of create (reserve, spawn, commit). A Worker is committed as connected only on a
 * `ready` answer within the deadline; anything else leaves it `unavailable` with a sanitised
 * diagnostic and no handle. A `ready` that arrives too late, or after the Worker stopped being
 * wanted, is stopped at once so nothing is orphaned.
 */
export class WorkerStarter {
  constructor(
    private readonly clock: ClockPort,
    private readonly options: RuntimeOptions,
    private readonly changed: (record: WorkerRecord) => void,
  ) {}

  async spawn(record: WorkerRecord, request: SpawnRequest, stillWanted: () => boolean): Promise<OperationResult> {
    const backend = record.backend!;
    const context = record.context!;
    const versionBefore = record.runStateVersion;
    const settled = await withDeadline(
      this.clock,
      this.options.deadlines.spawnMs,
      (signal) => backend.spawn(request, context, signal),
      (late) => this.release(backend, late),
    );
    if (settled.kind === 'timeout') {
      return this.fail(record, 'spawn_timeout', diagnostic('spawn_timeout', 'the backend did not start the Worker in time'));
    }
    if (settled.kind === 'threw') {
      const message = thrownMessage(settled.error);
      return this.fail(record, 'spawn_failed', diagnostic('spawn_failed', message));
    }
    const value = settled.value;
    if (value?.status === 'rejected') {
      return this.fail(record, 'spawn_rejected', sanitizeDiagnostic(value.diagnostic));
    }
    if (value?.status !== 'ready') {
      return this.fail(record, 'spawn_failed', diagnostic('spawn_failed', 'backend returned an invalid spawn result'));
    }
    if (!stillWanted()) {
      this.release(backend, value);
      record.detach();
      record.phase = 'stopped';
      this.changed(record);
      return operationResult('create', 'runtime_stopped', record.state);
    }
    record.attach(value.handle);
    record.restoreToken = value.restoreToken ?? null;
    record.phase = 'connected';
    if (record.runStateVersion === versionBefore) record.runState = value.state ?? 'idle';
    this.changed(record);
    return operationResult('create', 'created', record.state);
  }

  private fail(record: WorkerRecord, reason: Reason, why: Diagnostic): OperationResult {
    record.detach();
    record.phase = 'unavailable';
    record.diagnostic = why;
    this.changed(record);
    return operationResult('create', reason, record.state, { diagnostic: why, message: why.message });
  }

  /** Stops an execution nobody will use (late or unwanted spawn). Best effort, bounded. */
  private release(backend: ExecutionBackendPort, result: SpawnResult): void {
    if (result?.status !== 'ready' || !backend.stop) return;
    const signal = AbortSignal.timeout(this.options.deadlines.stopMs);
    backend.stop(result.handle, signal).catch(() => undefined);
  }
}
