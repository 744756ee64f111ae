import { entryView, type QueuedInput, type QueueEntryView, type Settlement } from '../domain/queuedInput.js';
import type { OperationResult } from '../domain/executionResult.js';

/**
 * Where one entry is for this process. `pending`: its append has not landed (not answered yet, not
 * dispatched). `ready`: waiting its turn. `active`: being dispatched now. `outstanding`: its dispatch
 * timed out and the backend has not answered yet. `recovered`: loaded as `dispatching` after a
 * restart: the backend's record decides, it is never simply sent again.
 */
export type SlotStatus = 'pending' | 'ready' | 'active' | 'outstanding' | 'recovered';

export interface Slot {
  entry: QueuedInput;
  status: SlotStatus;
  /** While `pending`: the answer its caller will get (a repeat with the same key waits for it). */
  answer: Promise<OperationResult> | null;
}

/** How many settlements a Worker keeps (readable by submission id; their keys still deduplicate). */
export const SETTLED_RETAIN = 256;

/**
 * The Runtime's copy of one Worker's queue: entries in dispatch order (interrupting ones first, each
 * group first in first out), its recent settlements, and the idempotency keys of both.
 */
export class WorkerQueue {
  readonly slots: Slot[] = [];
  readonly settled = new Map<string, Settlement>();
  private readonly keys = new Map<string, string>();
  private nextOrder = 0;

  get length(): number {
    return this.slots.length;
  }

  get head(): Slot | undefined {
    return this.slots[0];
  }

  /** Adds an entry at its place: after the one being dispatched and earlier interrupts, or at the end. */
  insert(entry: QueuedInput, status: SlotStatus, answer: Promise<OperationResult> | null = null): Slot {
    const slot: Slot = { entry, status, answer };
    this.nextOrder = Math.max(this.nextOrder, entry.order + 1);
    const at = entry.interrupt ? this.slots.findIndex((s) => s.entry.state === 'queued' && !s.entry.interrupt && s.status !== 'active') : -1;
    if (at < 0) this.slots.push(slot);
    else this.slots.splice(at, 0, slot);
    if (entry.idempotencyKey) this.keys.set(entry.idempotencyKey, entry.submissionId);
    return slot;
  }

  /** Loaded entries, sorted: the one being dispatched, then interrupts, then the rest, each by order. */
  restore(entries: readonly QueuedInput[], settled: readonly Settlement[]): void {
    const rank = (e: QueuedInput) => (e.state === 'dispatching' ? 0 : e.interrupt ? 1 : 2);
    const sorted = [...entries].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
    for (const entry of sorted) {
      this.slots.push({ entry, status: entry.state === 'dispatching' ? 'recovered' : 'ready', answer: null });
      this.nextOrder = Math.max(this.nextOrder, entry.order + 1);
      if (entry.idempotencyKey) this.keys.set(entry.idempotencyKey, entry.submissionId);
    }
    for (const settlement of [...settled].sort((a, b) => a.settledAt - b.settledAt)) this.remember(settlement);
  }

  order(): number {
    return this.nextOrder++;
  }

  find(submissionId: string): Slot | undefined {
    return this.slots.find((s) => s.entry.submissionId === submissionId);
  }

  /** The submission id an idempotency key names here (queued or settled), if any. */
  byKey(key: string): string | undefined {
    return this.keys.get(key);
  }

  position(slot: Slot): number {
    const last = this.slots.length - 1;
    return this.slots[last] === slot ? last + 1 : this.slots.indexOf(slot) + 1; // most asked of: the one just added
  }

  remove(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (slot.entry.idempotencyKey && this.keys.get(slot.entry.idempotencyKey) === slot.entry.submissionId) this.keys.delete(slot.entry.idempotencyKey);
  }

  /** Keeps a settlement (and its key) readable; the oldest beyond `SETTLED_RETAIN` are forgotten. */
  remember(settlement: Settlement): void {
    this.settled.set(settlement.submissionId, settlement);
    if (settlement.idempotencyKey) this.keys.set(settlement.idempotencyKey, settlement.submissionId);
    while (this.settled.size > SETTLED_RETAIN) {
      const [id, old] = this.settled.entries().next().value!;
      this.settled.delete(id);
      if (old.idempotencyKey && this.keys.get(old.idempotencyKey) === id) this.keys.delete(old.idempotencyKey);
    }
  }

  /** The entries as a client sees them, with their positions; pending ones (not answered yet) are left out. */
  views(): QueueEntryView[] {
    return this.slots.flatMap((slot, index) => (slot.status === 'pending' ? [] : [entryView(slot.entry, index + 1)]));
  }
}
