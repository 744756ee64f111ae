import { z } from 'zod';
import { BusyPolicySchema } from '../domain/busyPolicy.js';
import { QueueEntryViewSchema, SettlementViewSchema, SubmissionIdSchema } from '../domain/queuedInput.js';
import { WorkerIdSchema } from '../domain/workerRef.js';

/** HTTP shapes of a Worker's input queue (busy policies `enqueue` and `interrupt`). */
export const SubmissionParamsSchema = z.strictObject({ workerId: WorkerIdSchema, submissionId: SubmissionIdSchema });

export const QueueBodySchema = z.strictObject({
  queue: z.strictObject({
    workerId: z.string(),
    busyPolicy: BusyPolicySchema,
    busyPolicies: z.array(BusyPolicySchema),
    queueLimit: z.number().int(),
    maxAgeMs: z.number().int().nullable(),
    durable: z.boolean(),
    entries: z.array(QueueEntryViewSchema),
  }),
});

export const SubmissionBodySchema = z.strictObject({
  submission: z.strictObject({
    submissionId: z.string(),
    workerId: z.string(),
    status: z.enum(['queued', 'dispatching', 'settled']),
    position: z.number().int().positive().optional(),
    queuedAt: z.number().int(),
    settlement: SettlementViewSchema.optional(),
  }),
});
