import { toBrowserEvent } from '../domain/browserFrame.js';
import { diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult, type Reason, type ResultDetails } from '../domain/executionResult.js';
import { WorkerMethodSchema } from '../domain/workerMethod.js';
import { parseSnapshotAnswer, parseSnapshotData } from './backendAnswers.js';
import { controlOutcome } from './backendOutcome.js';
import { withDeadline } from './deadline.js';
import { notFound, parseArgument } from './operationResults.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';

/** The control use cases: stop, cancel, methods, snapshot, remove, and the Runtime's shutdown. */
export class WorkerControl {
  private shutdownDone: Promise<void> | null = null;

  constructor(private readonly core: RuntimeCore) {}

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
    return this.core.track(this.stopRecord(record));
  }

  async cancel(workerId: string): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    if (!record) return notFound('cancel');
    const refusal = core.refuseUnlessConnected('cancel', record);
    if (refusal) return refusal;
    const backend = record.backend!;
    if (!backend.cancel) return operationResult('cancel', 'operation_unsupported', record.state);
    if (record.runState === 'idle' && !record.inFlight) return operationResult('cancel', 'not_running', record.state);
    const settled = await withDeadline(core.ports.clock, core.options.deadlines.cancelMs, (signal) => backend.cancel!(record.handle, signal));
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
    const settled = await withDeadline(core.ports.clock, core.options.deadlines.methodMs, (signal) =>
      backend.dispatchMethod!(record.handle, parsed.data, signal),
    );
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
    const settled = await withDeadline(core.ports.clock, core.options.deadlines.snapshotMs, (signal) => backend.snapshot!(record.handle, signal));
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

  async remove(workerId: string): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    if (!record) return notFound('remove');
    if (record.phase === 'starting' || record.phase === 'connected' || record.phase === 'stopping') {
      return operationResult('remove', 'worker_live', record.state, { message: 'stop the Worker before removing it' });
    }
    if (record.hasHandle && record.backend?.stop) {
      const backend = record.backend;
      await withDeadline(core.ports.clock, core.options.deadlines.stopMs, (signal) => backend.stop!(record.handle, signal));
    }
    record.detach();
    core.workers.delete(workerId);
    core.catalogWriter.write(workerId, () => null);
    await core.ports.reader.drop(record.ref, 'worker_removed');
    core.feed.emit({ type: 'worker_removed', worker: record.projection });
    return operationResult('remove', 'removed', null);
  }

  shutdown(): Promise<void> {
    this.shutdownDone ??= this.runShutdown();
    return this.shutdownDone;
  }

  private async runShutdown(): Promise<void> {
    const { core } = this;
    core.status = 'stopping';
    await Promise.allSettled([...core.pending]);
    await core.catalogWriter.flush();
    core.persisting = false;
    const live = [...core.workers.values()].filter((r) => r.hasHandle && r.phase !== 'stopped' && r.phase !== 'stopping');
    await Promise.allSettled(live.map((record) => this.stopRecord(record)));
    await Promise.allSettled([...core.pending]);
    for (const record of core.workers.values()) record.context?.revoke();
    const { stopMs } = core.options.deadlines;
    await Promise.allSettled(
      [...core.backends.values()].map((b) => (b.dispose ? withDeadline(core.ports.clock, stopMs, (signal) => b.dispose!(signal)) : null)),
    );
    await core.ports.reader.close();
    core.feed.close();
    core.status = 'stopped';
  }

  private async stopRecord(record: WorkerRecord): Promise<OperationResult> {
    const { core } = this;
    const backend = record.backend;
    if (!record.hasHandle || !backend) {
      record.detach();
      record.phase = 'stopped';
      core.changed(record);
      return operationResult('stop', 'stopped', record.state);
    }
    if (!backend.stop) return operationResult('stop', 'operation_unsupported', record.state);
    const before = record.phase;
    record.phase = 'stopping';
    core.changed(record);
    const settled = await withDeadline(core.ports.clock, core.options.deadlines.stopMs, (signal) => backend.stop!(record.handle, signal));
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
    core.changed(record);
    return { ...result, state: record.state };
  }
}
