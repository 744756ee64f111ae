import { z } from 'zod';
import { BusyPolicySchema } from '../domain/busyPolicy.js';
import { DiagnosticSchema } from '../domain/diagnostic.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/queuedInput.js';
import { OperationResultSchema } from '../domain/executionResult.js';
import { LifecycleChangeSchema, WorkerProjectionSchema } from '../domain/projection.js';
import { SegmentSchema } from '../domain/workerInput.js';
import { WorkerStateSchema } from '../domain/workerState.js';
import { ProfileNameSchema } from '../application/runtimeOptions.js';
import { WorkerIdSchema } from '../domain/workerRef.js';

/** Request and response shapes of the HTTP API; the OpenAPI document is generated from these. */
export const WorkerIdParamsSchema = z.strictObject({ workerId: WorkerIdSchema });
/** A decision id as the Runtime makes them (a random prefix and a counter), or any id of the same safe shape. */
export const DecisionParamsSchema = z.strictObject({ workerId: WorkerIdSchema, decisionId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/) });
/** A person's answer: one of the option ids the pending decision offers. */
export const DecideBodySchema = z.strictObject({ optionId: z.string().min(1).max(256) });
export const RuntimeWorkerParamsSchema = z.strictObject({ runtimeId: WorkerIdSchema, workerId: WorkerIdSchema });

const IdempotencyKeySchema = z.string().regex(IDEMPOTENCY_KEY_PATTERN);

/** A user turn: plain `content`, or `segments`. */
export const UserInputBodySchema = z
  .strictObject({
    kind: z.literal('user'),
    content: z.string().min(1).optional(),
    segments: z.array(SegmentSchema).min(1).max(64).optional(),
    idempotencyKey: IdempotencyKeySchema.optional(),
    /** What this input gets if the Worker is busy, where its profile allows it (default: the profile's). */
    busyPolicy: BusyPolicySchema.optional(),
  })
  .refine((b) => (b.content === undefined) !== (b.segments === undefined), 'exactly one of content or segments');

/** A notification: `message`, the same shape as the library's `{ kind: 'notify', message }`. */
export const NotifyInputBodySchema = z.strictObject({
  kind: z.literal('notify'),
  message: z.string().min(1),
  autoRun: z.boolean().optional(),
  idempotencyKey: IdempotencyKeySchema.optional(),
  busyPolicy: BusyPolicySchema.optional(),
});

export const InputBodySchema = z.discriminatedUnion('kind', [UserInputBodySchema, NotifyInputBodySchema]);
export type InputBody = z.infer<typeof InputBodySchema>;

/** The notify shape before `message`: `{ kind: 'notify', content }`, refused with a message that says so. */
export function isLegacyNotify(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'notify' && 'content' in body && !('message' in body);
}
export const LEGACY_NOTIFY_MESSAGE = 'notify takes `message` (the field was renamed from `content`)';

export const CreateWorkerBodySchema = z.strictObject({
  workerId: WorkerIdSchema.optional(),
  profile: ProfileNameSchema,
  displayName: z.string().min(1).max(128).optional(),
  /** Submitted once the Worker is created: a user turn (`kind` may be left out) or a notification. */
  initialInput: z
    .union([
      z.strictObject({ kind: z.literal('user').default('user'), content: z.string().min(1) }),
      z.strictObject({ kind: z.literal('notify'), message: z.string().min(1) }),
    ])
    .optional(),
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
  profiles: z.array(
    z.strictObject({
      name: z.string(),
      displayName: z.string().nullable(),
      backend: z.string().nullable(),
      available: z.boolean(),
      busyPolicy: BusyPolicySchema,
      busyPolicies: z.array(BusyPolicySchema),
    }),
  ),
  /** The in-process observation bus's memory budget (null with the Redis bus). */
  observationBudget: z
    .strictObject({
      budgetBytes: z.number().int(),
      retainedBytes: z.number().int(),
      retainedObservations: z.number().int(),
      evictedObservations: z.number().int(),
    })
    .nullable(),
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

export const LifecycleFrameSchema = z.union([
  z.strictObject({ type: z.literal('lifecycle'), cursor: z.string(), replayed: z.boolean(), change: LifecycleChangeSchema }),
  z.strictObject({ type: z.literal('workers'), workers: z.array(WorkerProjectionSchema) }),
  z.strictObject({ type: z.literal('reset'), requested: z.string(), epoch: z.string() }),
  z.strictObject({ type: z.literal('expired'), requested: z.string(), oldest: z.string() }),
  z.strictObject({ type: z.literal('lagged'), resumeAfter: z.string().nullable() }),
  z.strictObject({ type: z.literal('end'), reason: z.string() }),
]);

/** The one message a WebSocket gets when its subscription cannot start (then close 1008). */
export const WsErrorFrameSchema = z.strictObject({ type: z.literal('error'), error: z.strictObject({ code: z.string(), message: z.string() }) });

export const HealthBodySchema = z.strictObject({ status: z.enum(['ok', 'stopping']) });

export { DiagnosticSchema };
