import type { QueuedInput, Settlement } from '../../domain/queuedInput.js';
import type { InputQueuePort, StoredQueue } from '../../ports/inputQueuePort.js';

interface Slot {
  readonly entries: Map<string, QueuedInput>;
  readonly settled: Map<string, Settlement>;
}

/**
 * The input queues in this process: they live as long as this object, so a host on the memory catalog
 * loses its queues when it exits (and settles them `cancelled`, `runtime_stopped`, at shutdown). Tests
 * that restart a Runtime in one process share one instance and may call it `durable`. Entries are kept
 * as handed over (the Runtime replaces an entry, it never changes one); `load` answers copies.
 */
export class MemoryInputQueue implements InputQueuePort {
  readonly durable: boolean;
  private readonly runtimes = new Map<string, Map<string, Slot>>();

  constructor(options: { durable?: boolean } = {}) {
    this.durable = options.durable ?? false;
  }

  load(runtimeId: string): Promise<{ queues: StoredQueue[]; corrupt: { workerId: string; submissionId: string }[] }> {
    const queues = [...(this.runtimes.get(runtimeId) ?? new Map<string, Slot>()).entries()].map(([workerId, slot]) => ({
      workerId,
      entries: [...slot.entries.values()].map((e) => structuredClone(e)),
      settled: [...slot.settled.values()].map((s) => structuredClone(s)),
    }));
    return Promise.resolve({ queues, corrupt: [] });
  }

  append(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    this.slot(runtimeId, workerId).entries.set(entry.submissionId, entry);
    return Promise.resolve();
  }

  update(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    return this.append(runtimeId, workerId, entry);
  }

  settle(runtimeId: string, workerId: string, settlement: Settlement, retain: number): Promise<void> {
    const slot = this.slot(runtimeId, workerId);
    slot.entries.delete(settlement.submissionId);
    slot.settled.set(settlement.submissionId, settlement);
    for (const id of slot.settled.keys()) {
      if (slot.settled.size <= retain) break;
      slot.settled.delete(id);
    }
    return Promise.resolve();
  }

  drop(runtimeId: string, workerId: string): Promise<void> {
    this.runtimes.get(runtimeId)?.delete(workerId);
    return Promise.resolve();
  }

  private slot(runtimeId: string, workerId: string): Slot {
    let workers = this.runtimes.get(runtimeId);
    if (!workers) this.runtimes.set(runtimeId, (workers = new Map()));
    let slot = workers.get(workerId);
    if (!slot) workers.set(workerId, (slot = { entries: new Map(), settled: new Map() }));
    return slot;
  }
}
