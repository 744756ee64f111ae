import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';
import { DiagnosticSchema } from '../domain/diagnostic.js';
import { WorkerStateSchema } from '../domain/workerState.js';

/** What survives a restart about one Worker. No handles, no credentials. */
export const CatalogEntrySchema = z.strictObject({
  workerId: z.string(),
  profile: z.string(),
  displayName: z.string().nullable(),
  state: WorkerStateSchema,
  diagnostic: DiagnosticSchema.nullable(),
  runGeneration: z.number().int().positive(),
  /** Whatever the backend returned to reattach later (its `restoreToken`), if anything. */
  restoreToken: z.string().max(4096).nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

/** The diagnostic code of an entry the store holds but cannot read (see `load`). */
export const CATALOG_ENTRY_CORRUPT = 'catalog_entry_corrupt';

/**
 * The durable Worker catalog of each Runtime. Writes for one Worker arrive in order; a failed write
 * rejects (the Runtime keeps running and retries it until it lands, coalescing later changes).
 */
export interface WorkerCatalogPort {
  /**
   * Every entry of this Runtime. An entry the store holds but cannot parse comes back as `unavailable`
   * with the diagnostic `catalog_entry_corrupt` (never dropped silently, never trusted). Rejects with a
   * clear error when the store is unreachable.
   */
  load(runtimeId: string): Promise<CatalogEntry[]>;
  /** One entry of any Runtime (for observing another Runtime's Worker), or null. Rejects when unreachable. */
  get(runtimeId: string, workerId: string): Promise<CatalogEntry | null>;
  save(runtimeId: string, entry: CatalogEntry): Promise<void>;
  remove(runtimeId: string, workerId: string): Promise<void>;
  /**
   * Optional. Calls `listener(runtimeId)` when the store is found to have lost writes made to that
   * Runtime's catalog (a restart without persistence, a rollback): the Runtime then writes all its
   * entries again. Returns an unsubscribe.
   */
  onLoss?(listener: (runtimeId: string) => void): () => void;
}

export const WorkerCatalogPort: ServiceIdentifier<WorkerCatalogPort> = Symbol.for('worker-runtime/WorkerCatalogPort');
