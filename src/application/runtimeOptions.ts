import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';
import { BusyPolicySchema, BusySettingsSchema } from '../domain/busyPolicy.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../domain/protocolEvent.js';
import { RuntimeIdSchema } from '../domain/workerRef.js';

const ms = (fallback: number) => z.number().int().positive().max(3_600_000).default(fallback);

export const ProfileNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'profile name: lowercase, 1-64 chars');

export const ProfileSchema = z.strictObject({
  /** The `backendId` of the backend that executes this profile; null: Workers are unavailable placeholders. */
  backend: z.string().min(1).nullable().default(null),
  /** Backend-specific options, parsed by that backend. */
  options: z.unknown().optional(),
  displayName: z.string().max(128).optional(),
  /** What input to a busy Worker of this profile gets (docs/contract.md, Busy policies). */
  busy: BusySettingsSchema.prefault({}),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const RuntimeOptionsSchema = z.strictObject({
  runtimeId: RuntimeIdSchema.default('local'),
  profiles: z.record(ProfileNameSchema, ProfileSchema).prefault({ default: { backend: null } }),
  /** What input to a busy Worker gets, for profiles that do not say (`busy.policy`): `reject`, `enqueue` or `interrupt`. */
  busyPolicy: BusyPolicySchema.default('reject'),
  deadlines: z
    .strictObject({
      spawnMs: ms(30_000),
      dispatchMs: ms(15_000),
      cancelMs: ms(5_000),
      stopMs: ms(10_000),
      restoreMs: ms(30_000),
      methodMs: ms(15_000),
      snapshotMs: ms(5_000),
      /** Delivering a person's answer (or a deadline's) to the backend (`decide`). */
      decideMs: ms(5_000),
      /** How long a question waits for a person when its backend names no deadline (then its fallback answers). */
      askMs: ms(300_000),
      /** How long shutdown waits for pending catalog writes (the store may be unreachable). */
      catalogFlushMs: ms(5_000),
      /** How long an operation waits for the queue store to record a change before it answers `store_unavailable` (the write goes on). */
      storeWriteMs: ms(5_000),
    })
    .prefault({}),
  maxEventBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(DEFAULT_MAX_EVENT_BYTES),
  /** Retained lifecycle changes (for `lifecycle()` resume). */
  lifecycleRetention: z.number().int().min(16).max(1_000_000).default(4096),
  /** Default unread lifecycle changes a `lifecycle()` subscriber may hold before it gets `lagged`. */
  lifecycleSubscriberQueue: z.number().int().min(1).max(1_000_000).default(1024),
});
export type RuntimeOptions = z.infer<typeof RuntimeOptionsSchema>;
export type RuntimeOptionsInput = z.input<typeof RuntimeOptionsSchema>;

export const RuntimeOptions: ServiceIdentifier<RuntimeOptions> = Symbol.for('worker-runtime/RuntimeOptions');
