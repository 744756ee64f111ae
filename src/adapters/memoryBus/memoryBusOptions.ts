import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';

export const MemoryBusOptionsSchema = z.strictObject({
  /** Observations retained per Worker; older ones are evicted (resume then gets `expired`). */
  retentionPerWorker: z.number().int().min(1).max(10_000_000).default(10_000),
  /** Default unread live observations a subscriber may hold before `lagged`. */
  subscriberQueue: z.number().int().min(1).max(1_000_000).default(1024),
});
export type MemoryBusOptions = z.infer<typeof MemoryBusOptionsSchema>;

export const MemoryBusOptions: ServiceIdentifier<MemoryBusOptions> = Symbol.for('worker-runtime/MemoryBusOptions');
