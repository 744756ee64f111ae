import { allowedPolicies } from '../domain/busyPolicy.js';
import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { settlementView } from '../domain/queuedInput.js';
import type { WorkerInput } from '../domain/workerInput.js';
import { notFound } from './operationResults.js';
import type { QueuedInputs } from './queuedInputs.js';
import type { QueueOutcome, SubmissionOutcome } from './queueTypes.js';
import type { WorkerRecord } from './workerRecord.js';

/** Cancel answers that let an interrupt go on: the run was asked to end, or nothing was running. */
const INTERRUPTED: ReadonlySet<string> = new Set(['cancelled', 'not_running']);

/** The queue's operations: interrupt, reading the queue and a submission back, cancelling a queued input. */
export class QueueOperations {
  constructor(
    private readonly queued: QueuedInputs,
    /** The cancel use case (through the backend, with the cancel deadline). */
    private readonly cancelRun: (workerId: string) => Promise<OperationResult>,
  ) {}

  /**
   * Busy policy `interrupt`: the input takes its place ahead of the plain queued ones at once, the
   * current run is cancelled through the backend, and the input is dispatched once the Worker is idle
   * (`queued`, `interrupting`). A backend without `cancel` answers `unsupported`; a cancel that fails
   * (rejected, timed out, outstanding) answers its own reason and queues nothing.
   */
  async interrupt(record: WorkerRecord, input: WorkerInput, key: string | null): Promise<OperationResult> {
    if (!record.backend?.cancel) {
      return operationResult('input', 'operation_unsupported', record.state, { message: 'the backend cannot cancel a run, so input cannot interrupt it' });
    }
    const slot = this.queued.reserve(record, input, key, true);
    if (!('entry' in slot)) return slot;
    const answer = (async () => {
      const cancelled = await this.cancelRun(record.ref.workerId);
      if (!INTERRUPTED.has(cancelled.reason)) {
        this.queued.release(record, slot);
        const message = `the current run could not be interrupted: ${cancelled.message ?? cancelled.reason.replaceAll('_', ' ')}`;
        return operationResult('input', cancelled.reason, record.state, { message, ...(cancelled.diagnostic ? { diagnostic: cancelled.diagnostic } : {}) });
      }
      return this.queued.land(record, slot);
    })();
    // Work in flight, like any backend call: shutdown waits for it (the cancel is bounded by its deadline).
    slot.answer = this.queued.core.track(answer);
    return slot.answer;
  }

  queue(workerId: string): QueueOutcome {
    const record = this.queued.core.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    const busy = this.queued.busyOf(record.profile);
    return {
      ok: true,
      queue: {
        workerId,
        busyPolicy: busy.policy,
        busyPolicies: allowedPolicies(busy.policy, busy),
        queueLimit: busy.queueLimit,
        maxAgeMs: busy.maxAgeMs ?? null,
        durable: this.queued.store.durable,
        entries: this.queued.queues.get(workerId)?.views() ?? [],
      },
    };
  }

  submission(workerId: string, submissionId: string): SubmissionOutcome {
    const record = this.queued.core.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    const queue = this.queued.queues.get(workerId);
    const slot = queue?.find(submissionId);
    if (slot && slot.status !== 'pending') {
      const status = slot.entry.state === 'dispatching' ? 'dispatching' : 'queued';
      return { ok: true, submission: { submissionId, workerId, status, position: queue!.position(slot), queuedAt: slot.entry.queuedAt } };
    }
    const settled = queue?.settled.get(submissionId);
    if (!settled) return { ok: false, result: submissionNotFound('observe', record) };
    return { ok: true, submission: { submissionId, workerId, status: 'settled', queuedAt: settled.queuedAt, settlement: settlementView(settled) } };
  }

  /**
   * Cancels a queued input that has not been handed to the backend: `accepted` (`cancelled`) once the
   * store no longer has it waiting, so a restart cannot dispatch it. One being dispatched is `busy`
   * (`submission_dispatching`); one already settled is `rejected` (`submission_settled`).
   */
  async cancel(workerId: string, submissionId: string): Promise<OperationResult> {
    const record = this.queued.core.workers.get(workerId);
    if (!record) return notFound('dequeue');
    const queue = this.queued.queues.get(workerId);
    const slot = queue?.find(submissionId);
    if (!slot || slot.status === 'pending') {
      const settled = queue?.settled.get(submissionId);
      if (!settled) return submissionNotFound('dequeue', record);
      const message = `this input already ended: ${settled.outcome} (${settled.reason})`;
      return operationResult('dequeue', 'submission_settled', record.state, { submissionId, message });
    }
    if (slot.status !== 'ready') {
      return operationResult('dequeue', 'submission_dispatching', record.state, { submissionId, message: 'this input is being handed to the backend' });
    }
    const stored = await this.within(this.queued.settle(record, slot, 'cancelled', { message: 'cancelled by request' }));
    if (!stored) {
      const message = 'cancelled in this process but not yet stored: a restart before the store records it may still dispatch this input';
      return operationResult('dequeue', 'store_unavailable', record.state, { submissionId, message });
    }
    return operationResult('dequeue', 'cancelled', record.state, { submissionId });
  }

  /** The store's answer, or false once `storeWriteMs` passed (the write itself goes on retrying). */
  private within(stored: Promise<boolean>): Promise<boolean> {
    const { clock } = this.queued.core.ports;
    let cancel = (): void => undefined;
    const late = new Promise<boolean>((resolve) => (cancel = clock.setTimer(this.queued.core.options.deadlines.storeWriteMs, () => resolve(false))));
    return Promise.race([stored, late]).finally(cancel);
  }
}

function submissionNotFound(operation: 'observe' | 'dequeue', record: WorkerRecord): OperationResult {
  return operationResult(operation, 'submission_not_found', record.state, { message: 'no queued input of this Worker has this submission id' });
}
