import { diagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { BackendCall, type LateOutcome } from './backendCall.js';
import { controlOutcome } from './backendOutcome.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';

/** Said of a Worker shutdown released without its backend stopping it. */
export const RELEASED = diagnostic('execution_released', 'the Runtime shut down and its backend could not stop this Worker: its execution was released', 'info');

/**
 * Stops one Worker's execution through its backend, with the stop deadline. The Worker is `stopping`
 * while the call is in flight. On request, that is announced (lifecycle change, `updatedAt`) only once
 * the backend has not answered within the current turn, so a stop it refuses at once leaves no trace.
 * At shutdown it is announced at once: whatever the backend answers, the Worker ends final (a refused
 * stop releases it).
 */
export class WorkerStopper {
  constructor(private readonly core: RuntimeCore) {}

  /** Whether the backend can stop this Worker at all (it has `stop`, and did not answer it `unsupported`). */
  canStop(record: WorkerRecord): boolean {
    return record.backend?.stop !== undefined && !record.stopUnsupported;
  }

  async stop(record: WorkerRecord, atShutdown = false): Promise<OperationResult> {
    const { core } = this;
    const backend = record.backend;
    if (!record.hasHandle || !backend) {
      this.release(record);
      return operationResult('stop', 'stopped', record.state);
    }
    if (!backend.stop) return operationResult('stop', 'operation_unsupported', record.state);
    if (record.awaits('stop')) return operationResult('stop', 'call_outstanding', record.state, { message: 'an earlier stop has not been answered yet' });
    const before = record.phase;
    record.phase = 'stopping';
    let announced = atShutdown;
    if (atShutdown) core.changed(record);
    const cancelAnnouncement = atShutdown
      ? () => undefined
      : core.ports.clock.setTimer(0, () => {
          if (record.phase !== 'stopping') return;
          announced = true;
          core.changed(record);
        });
    const call = new StopCall(record, this);
    const settled = await call.run(core.ports.clock, core.options.deadlines.stopMs, (signal) => backend.stop!(record.handle, signal));
    cancelAnnouncement();
    const result = controlOutcome('stop', settled.kind === 'outstanding' ? { kind: 'timeout' } : settled, null, 'stopped', 'stop_timeout');
    if (result.outcome === 'accepted') {
      this.release(record);
    } else if (result.outcome === 'errored') {
      // The execution's condition is unknown: keep the handle (a later stop, remove or shutdown deals with it).
      record.context?.revoke();
      record.decisions.closeAll();
      record.phase = 'errored';
      record.diagnostic = diagnostic(result.reason, result.message ?? 'stop failed');
      core.changed(record);
      if (call.early) this.reconcile(record, call.early); // it answered in the deadline's own turn
    } else if (atShutdown) {
      this.release(record, RELEASED);
    } else {
      record.phase = before;
      if (result.reason === 'operation_unsupported') record.stopUnsupported = true;
      if (announced) core.changed(record);
    }
    return { ...result, state: record.state };
  }

  /** The Worker's execution is over for the Runtime: no handle, context revoked, `stopped` (with `why`, if said). */
  release(record: WorkerRecord, why: Diagnostic | null = null): void {
    record.detach();
    record.phase = 'stopped';
    record.diagnostic = why;
    this.core.changed(record);
  }

  /** A stop that timed out answered after all: `done` stops the errored Worker; anything else says why it did not. */
  reconcile(record: WorkerRecord, late: LateOutcome<unknown>): void {
    if (!this.core.isCurrent(record) || record.phase !== 'errored') return;
    const result = controlOutcome('stop', late, null, 'stopped', 'stop_timeout');
    if (result.outcome === 'accepted') return this.release(record);
    record.diagnostic = diagnostic(result.reason, result.message ?? 'the backend did not stop the Worker');
    this.core.changed(record);
  }
}

/** A stop whose late answer the stopper reconciles. */
class StopCall extends BackendCall<unknown> {
  /** A late answer that came before the stopper saw the timeout (a backend giving up as the signal fired). */
  early: LateOutcome<unknown> | null = null;

  constructor(
    record: WorkerRecord,
    private readonly stopper: WorkerStopper,
  ) {
    super(record, 'stop');
  }

  protected override settledLate(late: LateOutcome<unknown>): void {
    if (this.record.phase === 'stopping') this.early = late;
    else this.stopper.reconcile(this.record, late);
  }
}
