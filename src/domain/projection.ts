import { z } from 'zod';
import { PendingDecisionSchema, type PendingDecision } from './decision.js';
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
  /** Questions the backend asked that wait for a person (state `requires_action` while there are any). */
  pendingDecisions: z.array(PendingDecisionSchema),
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
  /** Already browser-safe (built by the Runtime from parsed, sanitised questions). */
  readonly pendingDecisions?: readonly PendingDecision[];
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
    pendingDecisions: source.pendingDecisions ? [...source.pendingDecisions] : [],
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
