import { allowedPolicies, type BusyPolicy } from '../domain/busyPolicy.js';
import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { entryView, outcomeOfSettlement, settlementView, type QueuedInput, type Settlement, type SettlementReason } from '../domain/queuedInput.js';
import type { WorkerInput } from '../domain/workerInput.js';
import type { InputQueuePort } from '../ports/inputQueuePort.js';
import { inputFingerprint } from './inputFingerprint.js';
import { QueueDrain, type QueueDriver, type QueueOwner } from './queueDrain.js';
import type { BusyProfile, SettleDetails } from './queueTypes.js';
import { QueueWrites } from './queueWrites.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';
import { SETTLED_RETAIN, WorkerQueue, type Slot } from './workerQueue.js';


/**
 * The Workers' input queues (busy policies `enqueue` and `interrupt`): the Runtime's copy of each
 * queue, written through to the `InputQueuePort` before every answer and every dispatch, and the
 * one final outcome of every queued input (its settlement), published on the lifecycle stream.
 */
export class QueuedInputs implements QueueOwner {
  readonly queues = new Map<string, WorkerQueue>();
  private readonly busyProfiles = new Map<string, BusyProfile>();
  readonly writes: QueueWrites;
  readonly drain: QueueDrain;

  constructor(
    readonly core: RuntimeCore,
    readonly store: InputQueuePort,
    driver: QueueDriver,
  ) {
    this.writes = new QueueWrites(core.ports.clock);
    this.drain = new QueueDrain(this, driver);
  }

  busyOf(profileName: string): BusyProfile {
    let resolved = this.busyProfiles.get(profileName);
    if (!resolved) {
      const busy = this.core.profile(profileName)?.busy ?? { allow: [], queueLimit: 32 };
      this.busyProfiles.set(profileName, (resolved = { ...busy, policy: busy.policy ?? this.core.options.busyPolicy }));
    }
    return resolved;
  }

  /** The policy an input gets: the request's, if its profile allows it (else `policy_not_allowed`), or the profile's. */
  policyFor(record: WorkerRecord, requested: BusyPolicy | undefined): BusyPolicy | OperationResult {
    const busy = this.busyOf(record.profile);
    if (requested === undefined || requested === busy.policy) return busy.policy;
    if (allowedPolicies(busy.policy, busy).includes(requested)) return requested;
    const message = `profile ${record.profile} does not allow the busy policy ${requested}`;
    return operationResult('input', 'policy_not_allowed', record.state, { message });
  }

  length(record: WorkerRecord): number {
    return this.queues.get(record.ref.workerId)?.length ?? 0;
  }

  /**
   * A repeat of a keyed input this Worker queued (still waiting, or settled): the same queued outcome,
   * never a second entry; another input under the same key is `idempotency_conflict`. Null: a new key.
   */
  repeat(record: WorkerRecord, key: string, input: WorkerInput): Promise<OperationResult> | null {
    const queue = this.queues.get(record.ref.workerId);
    const id = queue?.byKey(key);
    if (!queue || id === undefined) return null;
    const slot = queue.find(id);
    const fingerprint = slot?.entry.fingerprint ?? queue.settled.get(id)?.fingerprint;
    if (fingerprint !== inputFingerprint(input)) {
      const message = 'this idempotencyKey was used for another input to this Worker';
      return Promise.resolve(operationResult('input', 'idempotency_conflict', record.state, { message }));
    }
    if (slot?.answer) return slot.answer;
    const reason = slot?.entry.interrupt ? 'interrupting' : 'enqueued';
    return Promise.resolve(operationResult('input', reason, record.state, { submissionId: id, ...(slot ? { position: queue.position(slot) } : {}) }));
  }

  /** Puts an input in the queue (at the end) once the store has it: `queued` (`enqueued`) with its position. */
  enqueue(record: WorkerRecord, input: WorkerInput, key: string | null): Promise<OperationResult> | OperationResult {
    const slot = this.reserve(record, input, key, false);
    if (!('entry' in slot)) return slot;
    slot.answer = this.land(record, slot);
    return slot.answer;
  }

  /**
   * Takes the input's place in the queue now (at the end; an interrupt after the earlier interrupts,
   * ahead of the rest), before anything is written: nothing queued later can be dispatched before it.
   * `queue_full` beyond the profile's `queueLimit`.
   */
  reserve(record: WorkerRecord, input: WorkerInput, key: string | null, interrupt: boolean): Slot | OperationResult {
    const busy = this.busyOf(record.profile);
    const queue = this.queueOf(record);
    if (queue.length >= busy.queueLimit) {
      return operationResult('input', 'queue_full', record.state, { message: `the Worker's queue holds ${busy.queueLimit} inputs` });
    }
    const entry: QueuedInput = {
      submissionId: this.core.ports.ids.submissionId(),
      input,
      state: 'queued',
      interrupt,
      order: queue.order(),
      queuedAt: this.core.ports.clock.now(),
      idempotencyKey: key,
      fingerprint: key === null ? '' : inputFingerprint(input), // only a keyed repeat is compared
    };
    const slot = queue.insert(entry, 'pending');
    this.counted(record);
    return slot;
  }

  /** Gives up a reserved place that was never written (an interrupt whose cancel failed). */
  release(record: WorkerRecord, slot: Slot): void {
    this.queues.get(record.ref.workerId)?.remove(slot);
    this.counted(record);
    this.drain.wake(record);
  }

  /** Writes a reserved entry: once the store has it, it is queued, said on the lifecycle stream, and its caller answered. */
  async land(record: WorkerRecord, slot: Slot): Promise<OperationResult> {
    const { core } = this;
    const { workerId } = record.ref;
    const queue = this.queueOf(record);
    const stored = await this.writes.once(() => this.store.append(core.runtimeId, workerId, slot.entry));
    slot.answer = null;
    if (!stored) {
      this.release(record, slot);
      // The write may still land (a command past its deadline can): it must never be dispatched then.
      const never = this.settlementOf(slot, 'store_unavailable', { message: 'the queue store did not take it in time; it was never queued' });
      void this.writes.retry(workerId, () => this.store.settle(core.runtimeId, workerId, never, SETTLED_RETAIN));
      return operationResult('input', 'store_unavailable', record.state, { message: 'the input queue could not be written; nothing was queued' });
    }
    if (!core.isCurrent(record)) {
      queue.remove(slot); // removed meanwhile: its queue is dropped from the store after this write
      return operationResult('input', 'worker_not_found', null);
    }
    if (record.phase !== 'connected' || !core.running) {
      // Taken by the store while the Worker went away: settled at once, its caller told why (never answered queued).
      const reason = !core.running ? 'runtime_stopped' : record.phase === 'stopped' ? 'worker_stopped' : 'execution_unavailable';
      void this.settle(record, slot, reason, {}, false);
      return core.refuseUnlessConnected('input', record) ?? operationResult('input', 'runtime_stopped', record.state);
    }
    slot.status = 'ready';
    const position = queue.position(slot);
    core.feed.emit({ type: 'input_queued', worker: record.projection, entry: entryView(slot.entry, position) });
    this.drain.schedule(record);
    this.drain.wake(record);
    const reason = slot.entry.interrupt ? 'interrupting' : 'enqueued';
    return operationResult('input', reason, record.state, { submissionId: slot.entry.submissionId, position });
  }

  /**
   * The one final outcome of a queued input: out of the queue (in memory at once, in the store in
   * order), kept readable by submission id, published as `input_settled` (unless `announce` is false:
   * an entry whose caller was never told it was queued).
   */
  settle(record: WorkerRecord, slot: Slot, reason: SettlementReason, details: SettleDetails = {}, announce = true): Promise<boolean> {
    const { core } = this;
    const queue = this.queues.get(record.ref.workerId);
    if (!queue || !queue.slots.includes(slot)) return Promise.resolve(false);
    const settlement = this.settlementOf(slot, reason, details);
    queue.remove(slot);
    queue.remember(settlement);
    this.counted(record);
    const { workerId } = record.ref;
    const stored = this.writes.retry(workerId, () => this.store.settle(core.runtimeId, workerId, settlement, SETTLED_RETAIN));
    if (announce && core.isCurrent(record)) core.feed.emit({ type: 'input_settled', worker: record.projection, settlement: settlementView(settlement) });
    this.drain.schedule(record);
    return stored;
  }

  private settlementOf(slot: Slot, reason: SettlementReason, details: SettleDetails): Settlement {
    return {
      submissionId: slot.entry.submissionId,
      outcome: outcomeOfSettlement(reason),
      reason,
      ...(details.message ? { message: details.message } : {}),
      ...(details.diagnostic ? { diagnostic: details.diagnostic } : {}),
      queuedAt: slot.entry.queuedAt,
      settledAt: this.core.ports.clock.now(),
      idempotencyKey: slot.entry.idempotencyKey,
      fingerprint: slot.entry.fingerprint,
    };
  }

  /** Settles every entry this process is not handing over right now (`active`, `pending` finish on their own). */
  settleAll(record: WorkerRecord, reason: SettlementReason, details: SettleDetails = {}): void {
    const queue = this.queues.get(record.ref.workerId);
    for (const slot of [...(queue?.slots ?? [])]) {
      if (slot.status === 'active' || slot.status === 'pending') continue;
      if (slot.status === 'ready') void this.settle(record, slot, reason, details);
      else void this.settle(record, slot, 'outcome_unknown', { diagnostic: this.drain.unresolved(slot) });
    }
  }

  queueOf(record: WorkerRecord): WorkerQueue {
    let queue = this.queues.get(record.ref.workerId);
    if (!queue) this.queues.set(record.ref.workerId, (queue = new WorkerQueue()));
    return queue;
  }

  /** The Worker's projection says how many inputs wait. */
  counted(record: WorkerRecord): void {
    record.queueLength = this.length(record);
  }
}
