import type { CatalogEntry, WorkerCatalogPort } from '../../ports/workerCatalogPort.js';

/** The in-process catalog: survives nothing, which is what a single-process host on defaults wants. */
export class MemoryWorkerCatalog implements WorkerCatalogPort {
  private readonly runtimes = new Map<string, Map<string, CatalogEntry>>();

  load(runtimeId: string): Promise<CatalogEntry[]> {
    return Promise.resolve([...(this.runtimes.get(runtimeId)?.values() ?? [])].map((e) => ({ ...e })));
  }

  get(runtimeId: string, workerId: string): Promise<CatalogEntry | null> {
    const entry = this.runtimes.get(runtimeId)?.get(workerId);
    return Promise.resolve(entry ? { ...entry } : null);
  }

  save(runtimeId: string, entry: CatalogEntry): Promise<void> {
    let entries = this.runtimes.get(runtimeId);
    if (!entries) this.runtimes.set(runtimeId, (entries = new Map()));
    entries.set(entry.workerId, { ...entry });
    return Promise.resolve();
  }

  remove(runtimeId: string, workerId: string): Promise<void> {
    this.runtimes.get(runtimeId)?.delete(workerId);
    return Promise.resolve();
  }
}
