import { z } from 'zod';
import { PendingDecisionSchema, type PendingDecision } from './decision.js';
import { BusyPolicySchema, type BusyPolicy } from './busyPolicy.js';
import { DiagnosticSchema, sanitizeDiagnostic, type Diagnostic } from './diagnostic.js';
import { QueueEntryViewSchema, SettlementViewSchema } from './queuedInput.js';
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
  /** Inputs waiting in the Worker's queue, and its profile's busy policy (`enqueue`: input is taken while busy). */
  queue: z.strictObject({ length: z.number().int().nonnegative(), busyPolicy: BusyPolicySchema }),
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
  readonly queueLength: number;
  readonly busyPolicy: BusyPolicy;
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
    queue: { length: source.queueLength, busyPolicy: source.busyPolicy },
  };
}

/** A change on the lifecycle stream: facts the Runtime owns, never protocol events. */
export const LifecycleChangeSchema = z.union([
  z.strictObject({ type: z.enum(['worker_created', 'worker_changed', 'worker_removed']), worker: WorkerProjectionSchema }),
  /** An input entered the Worker's queue (`entry.position` is its place then). */
  z.strictObject({ type: z.literal('input_queued'), worker: WorkerProjectionSchema, entry: QueueEntryViewSchema }),
  /** A queued input ended: exactly one per queued input (committed, cancelled, expired, rejected, unknown). */
  z.strictObject({ type: z.literal('input_settled'), worker: WorkerProjectionSchema, settlement: SettlementViewSchema }),
]);
export type LifecycleChange = z.infer<typeof LifecycleChangeSchema>;
