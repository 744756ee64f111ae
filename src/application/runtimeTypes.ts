import { z } from 'zod';
import type { BusyPolicy } from '../domain/busyPolicy.js';
import type { OperationResult } from '../domain/executionResult.js';
import type { ObservationSubscription } from '../domain/observation.js';
import type { WorkerProjection } from '../domain/projection.js';
import type { RetentionReport } from '../domain/stream/retentionBudget.js';
import type { TranscriptEntry } from '../domain/transcript.js';
import { WorkerIdSchema } from '../domain/workerRef.js';
import type { WorkerState } from '../domain/workerState.js';
import { ProfileNameSchema } from './runtimeOptions.js';

export const CreateRequestSchema = z.strictObject({
  workerId: WorkerIdSchema.optional(),
  profile: ProfileNameSchema.default('default'),
  displayName: z.string().min(1).max(128).optional(),
});
export type CreateRequest = z.input<typeof CreateRequestSchema>;

export interface CreateOutcome {
  readonly result: OperationResult;
  readonly worker: WorkerProjection | null;
}

export type ObserveOutcome =
  | { readonly ok: true; readonly subscription: ObservationSubscription }
  | { readonly ok: false; readonly result: OperationResult };

export type TranscriptOutcome =
  | { readonly ok: true; readonly entries: TranscriptEntry[]; readonly complete: boolean }
  | { readonly ok: false; readonly result: OperationResult };

export interface RuntimeSummary {
  readonly runtimeId: string;
  readonly state: 'running' | 'stopping' | 'stopped';
  readonly workers: { readonly total: number; readonly byState: Partial<Record<WorkerState, number>> };
  readonly profiles: {
    readonly name: string;
    readonly displayName: string | null;
    /** The id of the backend the profile names (null: none). */
    readonly backend: string | null;
    /** That backend is bound here. */
    readonly available: boolean;
    /** What input to a busy Worker of this profile gets, and the policies a request may choose. */
    readonly busyPolicy: BusyPolicy;
    readonly busyPolicies: BusyPolicy[];
  }[];
  /**
   * The observation bus's memory budget: its size, the bytes and observations retained against it, and
   * how many observations it evicted; null when the bus keeps observations outside this process (Redis).
   */
  readonly observationBudget: RetentionReport | null;
}
