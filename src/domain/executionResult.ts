import { z } from 'zod';
import { DiagnosticSchema, type Diagnostic } from './diagnostic.js';
import { WorkerStateSchema, type WorkerState } from './workerState.js';

export const OperationSchema = z.enum(['create', 'input', 'stop', 'cancel', 'restore', 'remove', 'method', 'snapshot', 'observe', 'decide', 'dequeue']);
export type Operation = z.infer<typeof OperationSchema>;

export const OutcomeSchema = z.enum(['accepted', 'queued', 'busy', 'rejected', 'errored', 'unsupported']);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Every reason code, grouped by the one outcome it belongs to. Closed: hosts may switch exhaustively. */
export const REASONS = {
  accepted: ['created', 'already_exists', 'committed', 'stopped', 'already_stopped', 'cancelled', 'removed', 'dispatched', 'restored', 'snapshot', 'decided'],
  /** Input to a busy Worker that waits in its queue (busy policies `enqueue` and `interrupt`). */
  queued: ['enqueued', 'interrupting'],
  busy: ['run_in_flight', 'backend_busy', 'call_outstanding', 'queue_full', 'submission_dispatching'],
  rejected: [
    'invalid_request', 'worker_not_found', 'profile_unknown', 'create_conflict', 'execution_unavailable',
    'worker_starting', 'worker_stopping', 'worker_stopped', 'not_running', 'worker_live', 'spawn_rejected', 'backend_rejected', 'commit_ack_mismatch',
    'runtime_stopped', 'idempotency_conflict', 'policy_not_allowed', 'submission_not_found', 'submission_settled',
    'decision_not_found', 'decision_answered', 'option_not_offered',
  ],
  errored: [
    'backend_error', 'spawn_failed', 'spawn_timeout', 'dispatch_timeout', 'cancel_timeout', 'stop_timeout',
    'restore_timeout', 'method_timeout', 'snapshot_timeout', 'store_unavailable', 'backend_protocol_error',
    'decide_timeout',
  ],
  unsupported: ['operation_unsupported'],
} as const satisfies Record<Outcome, readonly string[]>;

export type ReasonOf<O extends Outcome> = (typeof REASONS)[O][number];
export type Reason = ReasonOf<Outcome>;

const ALL_REASONS = Object.values(REASONS).flat() as [Reason, ...Reason[]];
export const ReasonSchema = z.enum(ALL_REASONS);

const OUTCOME_OF = new Map<Reason, Outcome>(
  (Object.entries(REASONS) as [Outcome, readonly Reason[]][]).flatMap(([o, rs]) => rs.map((r) => [r, o] as const)),
);

/** The outcome a reason belongs to; a reason names exactly one outcome. */
export function outcomeOf(reason: Reason): Outcome {
  return OUTCOME_OF.get(reason)!;
}

/**
 * The typed result of every Runtime operation. The same shape crosses HTTP intact: clients switch on
 * `outcome` and `reason`, never on `message`.
 */
export const OperationResultSchema = z.strictObject({
  operation: OperationSchema,
  outcome: OutcomeSchema,
  reason: ReasonSchema,
  /** The Worker's state after the operation; null when there is no such Worker. */
  state: WorkerStateSchema.nullable(),
  message: z.string().max(1024).optional(),
  submissionId: z.string().optional(),
  /** A queued input's place in its Worker's queue (1: next). */
  position: z.number().int().positive().optional(),
  diagnostic: DiagnosticSchema.optional(),
});
export type OperationResult = z.infer<typeof OperationResultSchema>;

export interface ResultDetails {
  message?: string;
  submissionId?: string;
  position?: number;
  diagnostic?: Diagnostic;
}

/** Builds a result whose outcome is derived from its reason, so the two never disagree. */
export function operationResult(
  operation: Operation,
  reason: Reason,
  state: WorkerState | null,
  details: ResultDetails = {},
): OperationResult {
  const result: OperationResult = { operation, outcome: outcomeOf(reason), reason, state };
  if (details.message !== undefined) result.message = details.message;
  if (details.submissionId !== undefined) result.submissionId = details.submissionId;
  if (details.position !== undefined) result.position = details.position;
  if (details.diagnostic !== undefined) result.diagnostic = details.diagnostic;
  return result;
}
