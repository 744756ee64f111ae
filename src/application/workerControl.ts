import { toBrowserEvent } from '../domain/browserFrame.js';
import { operationResult, type OperationResult, type Reason, type ResultDetails } from '../domain/executionResult.js';
import { WorkerMethodSchema } from '../domain/workerMethod.js';
import { parseSnapshotAnswer, parseSnapshotData } from './backendAnswers.js';
import { BackendCall } from './backendCall.js';
import { controlOutcome } from './backendOutcome.js';
import { withDeadline } from './deadline.js';
import { notFound, parseArgument } from './operationResults.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';
import { WorkerStopper } from './workerStopper.js';

/** The control use cases: stop, cancel, methods, snapshot, remove. */
export class WorkerControl {
  readonly stopper: WorkerStopper;

  constructor(private readonly core: RuntimeCore) {
    this.stopper = new WorkerStopper(core);
  }

  async stop(workerId: string): Promise<OperationResult> {
    const record = this.core.workers.get(workerId);
    if (!record) return notFound('stop');
    switch (record.phase) {
      case 'stopped':
        return operationResult('stop', 'already_stopped', record.state);
      case 'starting':
        return operationResult('stop', 'worker_starting', record.state);
      case 'stopping':
        return operationResult('stop', 'worker_stopping', record.state);
    }
    return this.core.track(this.stopper.stop(record));
  }

  async cancel(workerId: string): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    if (!record) return notFound('cancel');
    const refusal = core.refuseUnlessConnected('cancel', record);
    if (refusal) return refusal;
    const backend = record.backend!;
    if (!backend.cancel) return operationResult('cancel', 'operation_unsupported', record.state);
    if (record.runState === 'idle' && !record.inFlight && !record.awaits('input')) return operationResult('cancel', 'not_running', record.state);
    const settled = await core.track(new BackendCall<unknown>(record, 'cancel').run(core.ports.clock, core.options.deadlines.cancelMs, (signal) => backend.cancel!(record.handle, signal)));
    if (settled.kind === 'outstanding') return outstanding('cancel', record);
    return controlOutcome('cancel', settled, record.state, 'cancelled', 'cancel_timeout');
  }

  async invokeMethod(workerId: string, method: unknown): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    const parsed = parseArgument(WorkerMethodSchema, method, 'method', record?.state ?? null);
    if (!parsed.ok) return parsed.result;
    if (!record) return notFound('method');
    const refusal = core.refuseUnlessConnected('method', record);
    if (refusal) return refusal;
    const backend = record.backend!;
    if (!backend.dispatchMethod) return operationResult('method', 'operation_unsupported', record.state);
    const settled = await core.track(
      new BackendCall<unknown>(record, 'method').run(core.ports.clock, core.options.deadlines.methodMs, (signal) => backend.dispatchMethod!(record.handle, parsed.data, signal)),
    );
    if (settled.kind === 'outstanding') return outstanding('method', record);
    return controlOutcome('method', settled, record.state, 'dispatched', 'method_timeout');
  }

  async snapshot(workerId: string): Promise<{ result: OperationResult; snapshot: Record<string, unknown> | null }> {
    const { core } = this;
    const record = core.workers.get(workerId);
    if (!record) return { result: notFound('snapshot'), snapshot: null };
    const refusal = core.refuseUnlessConnected('snapshot', record);
    if (refusal) return { result: refusal, snapshot: null };
    const backend = record.backend!;
    if (!backend.snapshot) return { result: operationResult('snapshot', 'operation_unsupported', record.state), snapshot: null };
    const settled = await core.track(
      new BackendCall<unknown>(record, 'snapshot').run(core.ports.clock, core.options.deadlines.snapshotMs, (signal) => backend.snapshot!(record.handle, signal)),
    );
    if (settled.kind === 'outstanding') return { result: outstanding('snapshot', record), snapshot: null };
    if (settled.kind !== 'ok') return { result: controlOutcome('snapshot', settled, record.state, 'snapshot', 'snapshot_timeout'), snapshot: null };
    const answer = parseSnapshotAnswer(settled.value);
    const refused = (reason: Reason, details: ResultDetails = {}) => ({ result: operationResult('snapshot', reason, record.state, details), snapshot: null });
    if (!answer.ok) return refused('backend_protocol_error', { message: answer.message });
    switch (answer.value.status) {
      case 'unsupported':
        return refused('operation_unsupported');
      case 'rejected':
        return refused('backend_rejected', { diagnostic: answer.value.diagnostic, message: answer.value.diagnostic.message });
    }
    // Checked, bounded and copied like an event: the backend's object never reaches a caller.
    const parsed = parseSnapshotData(answer.value.snapshot, core.options.maxEventBytes);
    if (!parsed.ok) return refused('backend_protocol_error', { message: parsed.message });
    return { result: operationResult('snapshot', 'snapshot', record.state), snapshot: toBrowserEvent(parsed.event).data as Record<string, unknown> };
  }

  /**
   * Forgets a Worker that is not live. A connected Worker whose backend cannot stop it (no `stop`,
   * or it answered `unsupported`) is released instead: its context is revoked (the backend's signal
   * fires) and it is forgotten, so no Worker is unremovable.
   */
  async remove(workerId: string): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    if (!record) return notFound('remove');
    const live = record.phase === 'starting' || record.phase === 'stopping' || (record.phase === 'connected' && this.stopper.canStop(record));
    if (live) return operationResult('remove', 'worker_live', record.state, { message: 'stop the Worker before removing it' });
    if (record.phase !== 'connected' && record.hasHandle && record.backend?.stop && !record.awaits('stop')) {
      const backend = record.backend;
      await withDeadline(core.ports.clock, core.options.deadlines.stopMs, (signal) => backend.stop!(record.handle, signal));
    }
    if (!core.isCurrent(record)) return notFound('remove');
    core.queueHooks?.removed(record);
    record.detach();
    core.workers.delete(workerId);
    core.catalogWriter.write(workerId, () => null);
    await core.ports.reader.drop(record.ref, 'worker_removed');
    core.feed.emit({ type: 'worker_removed', worker: record.projection });
    return operationResult('remove', 'removed', null);
  }
}

function outstanding(operation: 'cancel' | 'method' | 'snapshot', record: WorkerRecord): OperationResult {
  return operationResult(operation, 'call_outstanding', record.state, { message: `an earlier ${operation} has not been answered yet` });
}
