import { diagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult, type Reason } from '../domain/executionResult.js';
import type { ClockPort } from '../ports/clockPort.js';
import type { ExecutionBackendPort, RestoreRequest, RestoreResult, SpawnRequest } from '../ports/executionBackendPort.js';
import { parseRestoreAnswer, parseSpawnAnswer, readyHandleOf } from './backendAnswers.js';
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
    call: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<OperationResult> {
    const backend = record.backend!;
    const versionBefore = record.runStateVersion;
    const settled = await withDeadline(this.clock, deadlineMs, call, (late) => {
      // A late answer is reconciled, never dropped: a `ready` nobody waits for any more is stopped.
      const named = readyHandleOf(late);
      if (named) this.release(backend, { status: 'ready', handle: named.handle });
    });
    const lost = operation === 'restore' ? 'execution_lost' : null;
    if (settled.kind === 'timeout') {
      const reason = operation === 'restore' ? 'restore_timeout' : 'spawn_timeout';
      return this.fail(record, operation, reason, diagnostic(lost ?? reason, 'the backend did not start the Worker in time'));
    }
    if (settled.kind === 'threw') {
      const reason = operation === 'restore' ? 'backend_error' : 'spawn_failed';
      return this.fail(record, operation, reason, diagnostic(lost ?? 'spawn_failed', thrownMessage(settled.error)));
    }
    const answer = operation === 'restore' ? parseRestoreAnswer(settled.value) : parseSpawnAnswer(settled.value);
    if (!answer.ok) {
      const named = readyHandleOf(settled.value);
      if (named) this.release(backend, { status: 'ready', handle: named.handle });
      return this.fail(record, operation, 'backend_protocol_error', diagnostic('backend_protocol_error', answer.message));
    }
    const value = answer.value;
    if (value.status === 'unsupported') {
      return this.fail(record, operation, 'operation_unsupported', diagnostic('restore_unsupported', 'the backend cannot reattach to this Worker'));
    }
    if (value.status === 'rejected') return this.fail(record, operation, 'spawn_rejected', value.diagnostic);
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
    record.runEnds.reset();
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

  /** Stops an execution nobody will use (late, unwanted or malformed). Best effort, bounded, contained. */
  private release(backend: ExecutionBackendPort, result: { status: 'ready'; handle: unknown }): void {
    if (!backend.stop) return;
    void withDeadline(this.clock, this.options.deadlines.stopMs, (signal) => backend.stop!(result.handle, signal));
  }
}
