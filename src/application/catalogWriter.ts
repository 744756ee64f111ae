import type { CatalogEntry, WorkerCatalogPort } from '../ports/workerCatalogPort.js';

interface Slot {
  read: () => CatalogEntry | null;
  dirty: boolean;
  done: Promise<void>;
}

/**
 * Writes Worker changes to the catalog in order, one write in flight per Worker; changes that arrive
 * meanwhile coalesce into one write of the latest state. `null` from `read` removes the entry.
 */
export class CatalogWriter {
  private readonly slots = new Map<string, Slot>();
  failures = 0;

  constructor(
    private readonly catalog: WorkerCatalogPort,
    private readonly runtimeId: string,
  ) {}

  write(workerId: string, read: () => CatalogEntry | null): void {
    const existing = this.slots.get(workerId);
    if (existing) {
      existing.read = read;
      existing.dirty = true;
      return;
    }
    const slot: Slot = { read, dirty: true, done: Promise.resolve() };
    this.slots.set(workerId, slot);
    slot.done = this.drain(workerId, slot);
  }

  /** Resolves once every pending write has been attempted. */
  async flush(): Promise<void> {
    while (this.slots.size > 0) await Promise.all([...this.slots.values()].map((s) => s.done));
  }

  private async drain(workerId: string, slot: Slot): Promise<void> {
    await Promise.resolve(); // let the changes of this tick coalesce
    while (slot.dirty) {
      slot.dirty = false;
      const entry = slot.read();
      try {
        if (entry) await this.catalog.save(this.runtimeId, entry);
        else await this.catalog.remove(this.runtimeId, workerId);
      } catch {
        this.failures++;
      }
    }
    this.slots.delete(workerId);
  }
}
