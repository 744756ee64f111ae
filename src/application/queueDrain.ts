import { diagnostic, type Diagnostic } from '../domain/diagnostic.js';
import type { OperationResult } from '../domain/executionResult.js';
import { rejectionReason, type SettlementReason } from '../domain/queuedInput.js';
import type { WorkerInput } from '../domain/workerInput.js';
import type { InputQueuePort } from '../ports/inputQueuePort.js';
import { withDeadline } from './deadline.js';
import { parseInputRecordAnswer } from './inputRecordAnswer.js';
import type { BusyProfile, SettleDetails } from './queueTypes.js';
import type { QueueWrites } from './queueWrites.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';
import type { Slot, WorkerQueue } from './workerQueue.js';

/** What the drain needs of the queues (`QueuedInputs`). */
export interface QueueOwner {
  readonly core: RuntimeCore;
  readonly store: InputQueuePort;
  readonly writes: QueueWrites;
  readonly queues: ReadonlyMap<string, WorkerQueue>;
  busyOf(profileName: string): BusyProfile;
  settle(record: WorkerRecord, slot: Slot, reason: SettlementReason, details?: SettleDetails): Promise<boolean>;
  settleAll(record: WorkerRecord, reason: SettlementReason, details?: SettleDetails): void;
}

/** The input use case's commit-ack path, for a caller that holds the Worker's single flight. */
export interface QueueDriver {
  commit(record: WorkerRecord, input: WorkerInput, submissionId: string): Promise<OperationResult>;
}

/**
 * Dispatches a Worker's queue when it is idle: in order, one at a time, each through the same
 * commit-ack path as a direct input, each marked `dispatching` in the store before it goes and
 * removed (settled) only once its outcome is known. An entry found `dispatching` after a restart is
 * resolved by the backend's record (`inputRecord`), else settled `unknown`: never sent again. Entries
 * past the profile's age limit end `expired`; a Worker that cannot run them any more settles them.
 */
export class QueueDrain {
  /** The Workers being drained: by record, so a removed Worker's loop never holds up a new Worker of its id. */
  private readonly running = new Set<WorkerRecord>();
  private readonly timers = new Map<string, () => void>();

  constructor(
    private readonly owner: QueueOwner,
    private readonly driver: QueueDriver,
  ) {}

  /** Starts draining the Worker's queue unless it is already being drained (cheap when it is empty). */
  wake(record: WorkerRecord): void {
    if (this.running.has(record) || !this.owner.queues.get(record.ref.workerId)?.length) return;
    this.running.add(record);
    void this.loop(record);
  }

  private async loop(record: WorkerRecord): Promise<void> {
    const { owner } = this;
    const { core } = owner;
    try {
      for (;;) {
        const head = owner.queues.get(record.ref.workerId)?.head;
        if (!head || !core.running || !core.isCurrent(record)) return;
        if (this.settleUnrunnable(record)) return; // what is left (being handed over) settles on its own
        if (this.expire(record)) continue;
        if (head.status === 'recovered' && record.phase === 'connected') {
          await this.resolve(record, head);
          continue;
        }
        if (head.status !== 'ready' || !this.idle(record)) return;
        await this.dispatch(record, head); // dispatched, or not any more possible: the next turn of the loop says what now
      }
    } finally {
      this.running.delete(record);
    }
  }

  private idle(record: WorkerRecord): boolean {
    return record.phase === 'connected' && record.runState === 'idle' && !record.inFlight && !record.awaits('input') && this.owner.core.running;
  }

  /** Marks the head `dispatching` (durably), then commits it; false when it could not go after all (put back). */
  private async dispatch(record: WorkerRecord, slot: Slot): Promise<boolean> {
    const { owner } = this;
    const { core } = owner;
    const { workerId } = record.ref;
    record.inFlight = true; // the single flight is the queue's from here
    slot.status = 'active';
    slot.entry = { ...slot.entry, state: 'dispatching' };
    const marked = await owner.writes.retry(workerId, () => owner.store.update(core.runtimeId, workerId, slot.entry));
    const still = marked && core.isCurrent(record) && record.inFlight && record.phase === 'connected' && record.runState === 'idle' && core.running;
    if (!still) {
      // The single flight is the queue's, whatever became of the Worker meanwhile: an unavailable one
      // that is reconnected later must be able to take input again (nobody else can hold it now).
      record.inFlight = false;
      slot.status = 'ready';
      slot.entry = { ...slot.entry, state: 'queued' };
      if (!core.running && !owner.store.durable) {
        // The shutdown settled the queue in memory while this one was being marked: it ends like the rest.
        void owner.settle(record, slot, 'runtime_stopped', { message: 'the Runtime shut down; its queues were in memory' });
        return false;
      }
      // A removed Worker's queue was settled and dropped meanwhile: writing the entry back would revive it in the store.
      if (marked && core.isCurrent(record)) void owner.writes.retry(workerId, () => owner.store.update(core.runtimeId, workerId, slot.entry));
      return false;
    }
    const result = await core.track(this.driver.commit(record, slot.entry.input, slot.entry.submissionId));
    // The next entry's mark is written after this settlement (one write at a time per Worker, in order).
    if (result.outcome === 'accepted') void owner.settle(record, slot, 'committed');
    else if (result.reason === 'dispatch_timeout') slot.status = 'outstanding'; // its late answer settles it
    else void owner.settle(record, slot, rejectionReason(result.reason), { ...(result.message ? { message: result.message } : {}), ...(result.diagnostic ? { diagnostic: result.diagnostic } : {}) });
    return true;
  }

  /** The late answer of a queued input whose dispatch timed out. */
  lateAnswer(record: WorkerRecord, submissionId: string, committed: boolean): void {
    const slot = this.owner.queues.get(record.ref.workerId)?.find(submissionId);
    // Still `active`: the answer came in the very turn of the deadline (a backend giving up when the
    // signal fires), before `dispatch` saw the timeout. It settles the entry all the same.
    if (slot?.status !== 'outstanding' && slot?.status !== 'active') return;
    if (committed) void this.owner.settle(record, slot, 'committed', { message: 'its dispatch timed out; the backend committed it late' });
    else void this.owner.settle(record, slot, 'input_not_committed', { message: 'its dispatch timed out; the backend did not commit it' });
    this.wake(record);
  }

  /** A `dispatching` entry from before a restart: the backend's own record decides; nothing is sent twice. */
  private async resolve(record: WorkerRecord, slot: Slot): Promise<void> {
    const { owner } = this;
    const { core } = owner;
    const backend = record.backend;
    let status: 'committed' | 'not_committed' | 'unknown' = 'unknown';
    if (backend?.inputRecord) {
      const settled = await withDeadline(core.ports.clock, core.options.deadlines.dispatchMs, (signal) => backend.inputRecord!(record.handle, slot.entry.submissionId, signal));
      status = (settled.kind === 'ok' ? parseInputRecordAnswer(settled.value)?.status : undefined) ?? 'unknown';
    }
    if (slot.status !== 'recovered' || !core.isCurrent(record)) return;
    if (status !== 'not_committed') {
      const details = status === 'committed' ? { message: "committed before the restart, by the backend's own record" } : { diagnostic: this.unresolved(slot) };
      void owner.settle(record, slot, status === 'committed' ? 'committed' : 'outcome_unknown', details);
      return;
    }
    slot.status = 'ready';
    slot.entry = { ...slot.entry, state: 'queued' };
    await owner.writes.retry(record.ref.workerId, () => owner.store.update(core.runtimeId, record.ref.workerId, slot.entry));
  }

  /** Why an entry handed over earlier has no known outcome. */
  unresolved(slot: Slot): Diagnostic {
    const why =
      slot.status === 'outstanding'
        ? 'its dispatch timed out and the Worker went away before the backend answered'
        : slot.status === 'active'
          ? 'the Worker went away while this input was being handed over'
          : 'the Runtime stopped while handing this input over and the backend keeps no record of it';
    return diagnostic('dispatch_unresolved', `${why}; it was not sent again`, 'warning');
  }

  /** A Worker that can never run its queue again settles it: stopped (`cancelled`), no execution left (`rejected`). */
  private settleUnrunnable(record: WorkerRecord): boolean {
    if (record.phase === 'stopped') this.owner.settleAll(record, 'worker_stopped');
    else if ((record.phase === 'unavailable' || record.phase === 'errored') && !record.hasHandle) {
      const why = record.diagnostic ?? undefined;
      this.owner.settleAll(record, 'execution_unavailable', { message: 'the Worker has no execution any more', ...(why ? { diagnostic: why } : {}) });
    } else return false;
    return true;
  }

  /** Settles the waiting entries past the profile's age limit; true when any was. */
  expire(record: WorkerRecord): boolean {
    const { owner } = this;
    const { maxAgeMs } = owner.busyOf(record.profile);
    if (maxAgeMs === undefined) return false;
    const queue = owner.queues.get(record.ref.workerId);
    if (maxAgeMs === undefined || !queue) return false;
    const now = owner.core.ports.clock.now();
    const old = queue.slots.filter((s) => s.status === 'ready' && now - s.entry.queuedAt >= maxAgeMs);
    for (const slot of old) void owner.settle(record, slot, 'max_age', { message: `it waited longer than ${maxAgeMs} ms` });
    return old.length > 0;
  }

  /** Arms the Worker's age timer for its oldest waiting entry, so entries expire while the Worker stays busy. */
  schedule(record: WorkerRecord): void {
    const { owner } = this;
    const { workerId } = record.ref;
    const cancel = this.timers.get(workerId);
    if (cancel) {
      cancel();
      this.timers.delete(workerId);
    }
    const { maxAgeMs } = owner.busyOf(record.profile);
    if (maxAgeMs === undefined) return;
    const waiting = owner.queues.get(workerId)?.slots.filter((s) => s.status === 'ready') ?? [];
    if (waiting.length === 0) return;
    const oldest = Math.min(...waiting.map((s) => s.entry.queuedAt));
    const delay = Math.max(0, oldest + maxAgeMs - owner.core.ports.clock.now());
    this.timers.set(workerId, owner.core.ports.clock.setTimer(delay, () => {
      this.timers.delete(workerId);
      if (!owner.core.running || !owner.core.isCurrent(record)) return;
      this.expire(record);
      this.schedule(record);
      this.wake(record);
    }));
  }

  stopTimers(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
