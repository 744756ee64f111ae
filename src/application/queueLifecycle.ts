import { diagnostic } from '../domain/diagnostic.js';
import { settlementView, type Settlement } from '../domain/queuedInput.js';
import type { QueueHooks } from './queueHooks.js';
import type { QueuedInputs } from './queuedInputs.js';
import { SETTLED_RETAIN, WorkerQueue } from './workerQueue.js';
import type { WorkerRecord } from './workerRecord.js';


/** The queues across a Worker's life and the Runtime's: restore, removal, store loss, shutdown. */
export class QueueLifecycle implements QueueHooks {
  private corrupt: { workerId: string; submissionId: string }[] = [];

  constructor(private readonly queued: QueuedInputs) {}

  changed(record: WorkerRecord): void {
    if (this.queued.core.running) this.queued.drain.wake(record);
  }

  removed(record: WorkerRecord): void {
    const { queued } = this;
    const queue = queued.queues.get(record.ref.workerId);
    if (!queue) return;
    for (const slot of [...queue.slots]) {
      if (slot.status === 'pending') continue; // its append answers its caller `worker_not_found`
      if (slot.status === 'ready') void queued.settle(record, slot, 'worker_removed');
      else void queued.settle(record, slot, 'outcome_unknown', { diagnostic: queued.drain.unresolved(slot) });
    }
    queued.queues.delete(record.ref.workerId);
    record.queueLength = 0;
    const { workerId } = record.ref;
    void queued.writes.retry(workerId, () => queued.store.drop(queued.core.runtimeId, workerId));
  }

  rewrite(): void {
    const { queued } = this;
    const { runtimeId } = queued.core;
    for (const [workerId, queue] of queued.queues) {
      for (const slot of queue.slots) {
        if (slot.status !== 'pending') void queued.writes.retry(workerId, () => queued.store.update(runtimeId, workerId, slot.entry));
      }
      for (const settlement of queue.settled.values()) void queued.writes.retry(workerId, () => queued.store.settle(runtimeId, workerId, settlement, SETTLED_RETAIN));
    }
  }

  async shutdown(): Promise<void> {
    const { queued } = this;
    const { core } = queued;
    if (!queued.store.durable) {
      for (const record of core.workers.values()) if (queued.length(record) > 0) queued.settleAll(record, 'runtime_stopped', { message: 'the Runtime shut down; its queues were in memory' });
    }
    queued.drain.stopTimers();
    await queued.writes.flush(core.options.deadlines.catalogFlushMs);
    queued.writes.close();
  }

  /** Reads this Runtime's queues before its Workers are restored (entries found `dispatching` wait for the backend's record). */
  async load(): Promise<void> {
    const { queued } = this;
    const { queues, corrupt } = await queued.store.load(queued.core.runtimeId);
    for (const stored of queues) {
      if (queued.queues.has(stored.workerId)) continue; // already here (restore called again)
      const queue = new WorkerQueue();
      queue.restore(stored.entries, stored.settled);
      queued.queues.set(stored.workerId, queue);
    }
    this.corrupt.push(...corrupt);
  }

  /** After restore: queues of Workers that are gone are dropped, unreadable entries settled `unknown`, the rest drained. */
  afterRestore(): void {
    const { queued } = this;
    const { core } = queued;
    for (const { workerId, submissionId } of this.corrupt.splice(0)) this.settleCorrupt(workerId, submissionId);
    for (const [workerId, queue] of queued.queues) {
      const record = core.workers.get(workerId);
      if (!record) {
        queued.queues.delete(workerId);
        void queued.writes.retry(workerId, () => queued.store.drop(core.runtimeId, workerId));
        continue;
      }
      queued.drain.schedule(record);
      if (record.queueLength === queue.length) queued.drain.wake(record);
      else {
        record.queueLength = queue.length;
        core.changed(record); // subscribers see the restored queue's length (and the drain wakes)
      }
    }
  }

  /** An entry the store holds but cannot read: it cannot be trusted to run, so it ends `unknown`, said so. */
  private settleCorrupt(workerId: string, submissionId: string): void {
    const { queued } = this;
    const { core } = queued;
    const now = core.ports.clock.now();
    const why = diagnostic('queue_entry_corrupt', 'the stored queue entry of this input cannot be read; it was not dispatched', 'warning');
    const settlement: Settlement = { submissionId, outcome: 'unknown', reason: 'outcome_unknown', diagnostic: why, queuedAt: now, settledAt: now, idempotencyKey: null, fingerprint: '' };
    void queued.writes.retry(workerId, () => queued.store.settle(core.runtimeId, workerId, settlement, SETTLED_RETAIN));
    const record = core.workers.get(workerId);
    if (!record) return;
    let queue = queued.queues.get(workerId);
    if (!queue) queued.queues.set(workerId, (queue = new WorkerQueue()));
    queue.remember(settlement);
    core.feed.emit({ type: 'input_settled', worker: record.projection, settlement: settlementView(settlement) });
  }
}
