import type { CatalogEntry, WorkerCatalogPort } from '../ports/workerCatalogPort.js';

interface Slot {
  read: () => CatalogEntry | null;
  dirty: boolean;
  done: Promise<void>;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Writes Worker changes to the catalog in order, one write in flight per Worker; changes that arrive
 * meanwhile coalesce into one write of the latest state. `null` from `read` removes the entry. A
 * failed write is retried (backing off up to 5 s) until it lands, always with the latest state, so a
 * removal made while the store was away is not forgotten. `rewrite` (called when the store reports
 * lost writes) writes every entry again. A Worker `hold`ed (its stored entry is unreadable and kept
 * as it is) is not written until it is removed.
 */
export class CatalogWriter {
  private readonly slots = new Map<string, Slot>();
  private readonly held = new Set<string>();
  private readonly waits = new Set<() => void>();
  private closed = false;
  failures = 0;

  constructor(
    private readonly catalog: WorkerCatalogPort,
    private readonly runtimeId: string,
    rewrite: () => void = () => undefined,
  ) {
    catalog.onLoss?.((runtimeId) => {
      if (runtimeId === this.runtimeId && !this.closed) rewrite();
    });
  }

  write(workerId: string, read: () => CatalogEntry | null): void {
    if (this.closed) return;
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

  /** Keeps the stored entry of `workerId` as it is until the Worker is removed. */
  hold(workerId: string): void {
    this.held.add(workerId);
  }

  /**
   * Resolves once every pending write landed, or after `timeoutMs`; resolves to the number of
   * Workers whose latest state has not landed yet (still retried until `close`).
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.slots.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const all = Promise.all([...this.slots.values()].map((s) => s.done));
      if (!Number.isFinite(left)) await all;
      else if ((await Promise.race([all.then(() => true), this.pause(left, false).then(() => false)])) === false) break;
    }
    return this.slots.size;
  }

  /** Stops retrying; writes not landed by now are given up. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.waits]) wake();
  }

  private async drain(workerId: string, slot: Slot): Promise<void> {
    await Promise.resolve(); // let the changes of this tick coalesce
    let attempt = 0;
    while (slot.dirty && !this.closed) {
      slot.dirty = false;
      const entry = slot.read();
      if (entry && this.held.has(workerId)) continue;
      try {
        if (entry) await this.catalog.save(this.runtimeId, entry);
        else {
          await this.catalog.remove(this.runtimeId, workerId);
          this.held.delete(workerId);
        }
        attempt = 0;
      } catch {
        this.failures++;
        slot.dirty = true; // retried with whatever the latest state is by then
        await this.pause(Math.min(FIRST_RETRY_MS * 2 ** attempt++, MAX_RETRY_MS));
      }
    }
    this.slots.delete(workerId);
  }

  /** Waits `ms`, cut short by `close`; a background retry's wait does not keep the process alive. */
  private pause(ms: number, background = true): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (background) timer.unref();
      this.waits.add(wake);
    });
  }
}
