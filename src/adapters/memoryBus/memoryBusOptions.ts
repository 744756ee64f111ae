import type { ServiceIdentifier } from 'inversify';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** 256 MiB, or a quarter of this process's heap limit when that is smaller (`--max-old-space-size`). */
export function defaultBudgetBytes(): number {
  return Math.min(256 * MiB, Math.floor(getHeapStatistics().heap_size_limit / 4));
}

export const MemoryBusOptionsSchema = z.strictObject({
  /** Observations retained per Worker; older ones are evicted (resume then gets `expired`). */
  retentionPerWorker: z.number().int().min(1).max(10_000_000).default(10_000),
  /** Default unread live observations a subscriber may hold before `lagged`. */
  subscriberQueue: z.number().int().min(1).max(1_000_000).default(1024),
  /**
   * Bytes the retained observations of all Workers may take together (each costs its event's JSON
   * bytes plus a fixed per-entry overhead); past it the oldest across all Workers are evicted.
   */
  budgetBytes: z.number().int().min(1024).max(Number.MAX_SAFE_INTEGER).default(defaultBudgetBytes),
});
export type MemoryBusOptions = z.infer<typeof MemoryBusOptionsSchema>;

export const MemoryBusOptions: ServiceIdentifier<MemoryBusOptions> = Symbol.for('worker-runtime/MemoryBusOptions');
