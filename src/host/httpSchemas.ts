import { z } from 'zod';
import { DiagnosticSchema } from '../domain/diagnostic.js';
import { OperationResultSchema } from '../domain/executionResult.js';
import { LifecycleChangeSchema, WorkerProjectionSchema } from '../domain/projection.js';
import { SegmentSchema } from '../domain/workerInput.js';
import { WorkerStateSchema } from '../domain/workerState.js';
import { ProfileNameSchema } from '../application/runtimeOptions.js';
import { WorkerIdSchema } from '../domain/workerRef.js';

/** Request and response shapes of the HTTP API; the OpenAPI document is generated from these. */
export const WorkerIdParamsSchema = z.strictObject({ workerId: WorkerIdSchema });
export const RuntimeWorkerParamsSchema = z.strictObject({ runtimeId: WorkerIdSchema, workerId: WorkerIdSchema });

export const InputBodySchema = z
  .strictObject({
    kind: z.enum(['user', 'notify']),
    content: z.string().min(1).optional(),
    segments: z.array(SegmentSchema).min(1).max(64).optional(),
    autoRun: z.boolean().optional(),
    idempotencyKey: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional(),
  })
  .refine((b) => (b.content === undefined) !== (b.segments === undefined), 'exactly one of content or segments')
  .refine((b) => b.kind === 'user' || b.segments === undefined, 'notify takes content, not segments');
export type InputBody = z.infer<typeof InputBodySchema>;

export const CreateWorkerBodySchema = z.strictObject({
  workerId: WorkerIdSchema.optional(),
  profile: ProfileNameSchema,
  displayName: z.string().min(1).max(128).optional(),
  initialInput: z.strictObject({ kind: z.enum(['user', 'notify']).default('user'), content: z.string().min(1) }).optional(),
});

export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
  result: OperationResultSchema.optional(),
});

export const ResultBodySchema = z.strictObject({ result: OperationResultSchema });
export const WorkerBodySchema = z.strictObject({ worker: WorkerProjectionSchema });
export const WorkersBodySchema = z.strictObject({ workers: z.array(WorkerProjectionSchema) });
export const CreateWorkerResponseSchema = z.strictObject({
  worker: WorkerProjectionSchema,
  result: OperationResultSchema,
  inputResult: OperationResultSchema.optional(),
});

export const RuntimeSummarySchema = z.strictObject({
  runtimeId: z.string(),
  state: z.enum(['running', 'stopping', 'stopped']),
  workers: z.strictObject({ total: z.number().int(), byState: z.partialRecord(WorkerStateSchema, z.number().int()) }),
  profiles: z.array(z.strictObject({ name: z.string(), displayName: z.string().nullable(), available: z.boolean() })),
});

export const TranscriptBodySchema = z.strictObject({
  entries: z.array(z.looseObject({ kind: z.string(), cursor: z.string() })),
  complete: z.boolean(),
});

/** A frame on a Worker's event stream (SSE `data:` or one WebSocket message). */
export const StreamFrameSchema = z.union([
  z.strictObject({
    type: z.literal('observation'),
    cursor: z.string(),
    sequence: z.number().int(),
    publishedAt: z.number(),
    replayed: z.boolean(),
    history: z.boolean(),
    event: z.looseObject({ event: z.string(), data: z.looseObject({}).optional() }),
  }),
  z.strictObject({ type: z.literal('expired'), requested: z.string(), oldest: z.string() }),
  z.strictObject({ type: z.literal('reset'), requested: z.string(), epoch: z.string() }),
  z.strictObject({ type: z.literal('gap'), from: z.number().int(), to: z.number().int(), reason: z.string(), resumeAfter: z.string() }),
  z.strictObject({ type: z.literal('lagged'), resumeAfter: z.string().nullable() }),
  z.strictObject({ type: z.literal('end'), reason: z.string() }),
]);

export const LifecycleFrameSchema = z.strictObject({
  type: z.literal('lifecycle'),
  cursor: z.string(),
  replayed: z.boolean(),
  change: LifecycleChangeSchema,
});

export { DiagnosticSchema };
