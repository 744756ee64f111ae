import { z } from 'zod';
import { DiagnosticSchema, sanitizeDiagnostic, type Diagnostic } from './diagnostic.js';
import { WorkerStateSchema, type WorkerState } from './workerState.js';

/**
 * The browser-safe view of a Worker. Strict and allow-listed: a field not named here cannot reach a
 * browser, whatever the Runtime keeps internally (handles, backend ids, options).
 */
export const WorkerProjectionSchema = z.strictObject({
  runtimeId: z.string(),
  workerId: z.string(),
  profile: z.string(),
  displayName: z.string().nullable(),
  state: WorkerStateSchema,
  diagnostic: DiagnosticSchema.nullable(),
  runGeneration: z.number().int().nonnegative(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type WorkerProjection = z.infer<typeof WorkerProjectionSchema>;

/** The fields a projection is built from; anything else on the source object is ignored. */
export interface ProjectionSource {
  readonly runtimeId: string;
  readonly workerId: string;
  readonly profile: string;
  readonly displayName: string | null;
  readonly state: WorkerState;
  readonly diagnostic: Diagnostic | null;
  readonly runGeneration: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function toProjection(source: ProjectionSource): WorkerProjection {
  return {
    runtimeId: source.runtimeId,
    workerId: source.workerId,
    profile: source.profile,
    displayName: source.displayName,
    state: source.state,
    diagnostic: source.diagnostic ? sanitizeDiagnostic(source.diagnostic) : null,
    runGeneration: source.runGeneration,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
  };
}

/** A change on the lifecycle stream: facts the Runtime owns, never protocol events. */
export const LifecycleChangeSchema = z.strictObject({
  type: z.enum(['worker_created', 'worker_changed', 'worker_removed']),
  worker: WorkerProjectionSchema,
});
export type LifecycleChange = z.infer<typeof LifecycleChangeSchema>;
