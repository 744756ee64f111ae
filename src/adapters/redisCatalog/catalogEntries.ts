import { diagnostic } from '../../domain/diagnostic.js';
import { WorkerIdSchema } from '../../domain/workerRef.js';
import { CatalogEntrySchema, type CatalogEntry } from '../../ports/workerCatalogPort.js';

const PROFILE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const int = (value: unknown, fallback: number, min = 0): number => (Number.isSafeInteger(value) && (value as number) >= min ? (value as number) : fallback);

/**
 * One stored entry, parsed. An entry that does not parse (or names another Worker) is never trusted:
 * it comes back as `unavailable` with the diagnostic `catalog_entry_corrupt`, keeping only what can
 * still be read safely (its profile, generation and times). A field that is not a Worker id is no
 * Worker: null.
 */
export function parseEntry(workerId: string, json: string): CatalogEntry | null {
  if (!WorkerIdSchema.safeParse(workerId).success) return null;
  let raw: unknown = null;
  try {
    raw = JSON.parse(json);
  } catch {
    return corruptEntry(workerId, null, 'not JSON');
  }
  const parsed = CatalogEntrySchema.safeParse(raw);
  if (parsed.success && parsed.data.workerId === workerId) return parsed.data;
  const field = parsed.success ? 'workerId' : (parsed.error.issues[0]?.path.join('.') ?? '');
  return corruptEntry(workerId, raw, `invalid ${field || 'entry'}`);
}

function corruptEntry(workerId: string, raw: unknown, problem: string): CatalogEntry {
  const found = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const profile = typeof found.profile === 'string' && PROFILE.test(found.profile) ? found.profile : 'unknown';
  const createdAt = int(found.createdAt, 0);
  return {
    workerId,
    profile,
    displayName: null,
    state: 'unavailable',
    diagnostic: diagnostic('catalog_entry_corrupt', `the catalog entry of Worker ${workerId} cannot be read (${problem}); remove the Worker to clear it`),
    runGeneration: int(found.runGeneration, 1, 1),
    restoreToken: null,
    createdAt,
    updatedAt: int(found.updatedAt, createdAt),
  };
}
