import { z } from 'zod';
import { DiagnosticSchema } from './diagnostic.js';
import { WorkerInputSchema } from './workerInput.js';

export const SubmissionIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a submission id');
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const IdempotencyKeySchema = z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'an idempotency key: 1-128 of A-Z a-z 0-9 . _ : -');

/**
 * One input waiting in a Worker's queue, as stored. `queued`: waiting its turn. `dispatching`: handed
 * to the backend, its acknowledgement not recorded yet (after a crash, resolved by the backend's own
 * record, or `unknown`: never sent again). `order` sorts the queue (interrupting inputs first).
 */
export const QueuedInputSchema = z.strictObject({
  submissionId: SubmissionIdSchema,
  input: WorkerInputSchema,
  state: z.enum(['queued', 'dispatching']),
  interrupt: z.boolean(),
  order: z.number().int().nonnegative(),
  queuedAt: z.number().int(),
  idempotencyKey: IdempotencyKeySchema.nullable(),
  /** A digest of the input, to tell a repeat of the same input from another one under the same key. */
  fingerprint: z.string().max(64),
});
export type QueuedInput = z.infer<typeof QueuedInputSchema>;

/** How a queued input ended, each with its closed reasons. Exactly one per queued input. */
export const SETTLEMENT_REASONS = {
  committed: ['committed'],
  cancelled: ['cancelled', 'worker_stopped', 'worker_removed', 'runtime_stopped'],
  expired: ['max_age'],
  rejected: [
    'backend_rejected', 'backend_busy', 'commit_ack_mismatch', 'backend_error', 'backend_protocol_error', 'execution_unavailable', 'input_not_committed',
    'store_unavailable',
  ],
  unknown: ['outcome_unknown'],
} as const;
export type SettledOutcome = keyof typeof SETTLEMENT_REASONS;
export type SettlementReason = (typeof SETTLEMENT_REASONS)[SettledOutcome][number];

export const SettledOutcomeSchema = z.enum(Object.keys(SETTLEMENT_REASONS) as [SettledOutcome, ...SettledOutcome[]]);
export const SettlementReasonSchema = z.enum(Object.values(SETTLEMENT_REASONS).flat() as [SettlementReason, ...SettlementReason[]]);

/** The one final outcome of a queued input, as stored and as a client reads it back by submission id. */
export const SettlementSchema = z.strictObject({
  submissionId: SubmissionIdSchema,
  outcome: SettledOutcomeSchema,
  reason: SettlementReasonSchema,
  message: z.string().max(1024).optional(),
  diagnostic: DiagnosticSchema.optional(),
  queuedAt: z.number().int(),
  settledAt: z.number().int(),
  idempotencyKey: IdempotencyKeySchema.nullable(),
  fingerprint: z.string().max(64),
});
export type Settlement = z.infer<typeof SettlementSchema>;

/** A queue entry as a client sees it: its place (1: next, or being dispatched), never its key or digest. */
export const QueueEntryViewSchema = z.strictObject({
  submissionId: z.string(),
  position: z.number().int().positive(),
  state: z.enum(['queued', 'dispatching']),
  interrupt: z.boolean(),
  queuedAt: z.number().int(),
  input: z.looseObject({ kind: z.string() }),
});
export type QueueEntryView = z.infer<typeof QueueEntryViewSchema>;

export const SettlementViewSchema = SettlementSchema.omit({ idempotencyKey: true, fingerprint: true });
export type SettlementView = z.infer<typeof SettlementViewSchema>;

export function settlementView(settlement: Settlement): SettlementView {
  const { idempotencyKey, fingerprint, ...view } = settlement;
  void idempotencyKey;
  void fingerprint;
  return view;
}

export function entryView(entry: QueuedInput, position: number): QueueEntryView {
  return { submissionId: entry.submissionId, position, state: entry.state, interrupt: entry.interrupt, queuedAt: entry.queuedAt, input: entry.input };
}

/** The reason of a dispatch result that did not commit, as a settlement reason (`backend_error` for any other). */
export function rejectionReason(reason: string): SettlementReason {
  return (SETTLEMENT_REASONS.rejected as readonly string[]).includes(reason) ? (reason as SettlementReason) : 'backend_error';
}

export function outcomeOfSettlement(reason: SettlementReason): SettledOutcome {
  for (const [outcome, reasons] of Object.entries(SETTLEMENT_REASONS)) if ((reasons as readonly string[]).includes(reason)) return outcome as SettledOutcome;
  return 'unknown';
}
