import { z } from 'zod';

/**
 * What input to a busy Worker gets. `reject`: a typed `busy` (`run_in_flight`), the caller keeps its
 * message. `enqueue`: a typed `queued` with a submission id and a position; it is dispatched in order,
 * one at a time, once the Worker is idle. `interrupt`: the current run is cancelled through the
 * backend and the input is dispatched next, once the Worker is idle.
 */
export const BusyPolicySchema = z.enum(['reject', 'enqueue', 'interrupt']);
export type BusyPolicy = z.infer<typeof BusyPolicySchema>;

/** A profile's busy settings: its default policy, what a request may ask for instead, the queue's bounds. */
export const BusySettingsSchema = z.strictObject({
  /** The policy of input that names none. Default: the runtime option `busyPolicy`. */
  policy: BusyPolicySchema.optional(),
  /** Policies a request may choose (`busyPolicy` on the input); `reject` and `policy` always may. */
  allow: z.array(BusyPolicySchema).max(3).default([]),
  /** Inputs a Worker's queue holds (the one being dispatched included); beyond it: `busy`, `queue_full`. */
  queueLimit: z.number().int().min(1).max(10_000).default(32),
  /** A queued input older than this ends `expired` instead of being dispatched; none: no age limit. */
  maxAgeMs: z.number().int().min(1).max(7 * 24 * 3_600_000).optional(),
});
export type BusySettings = z.infer<typeof BusySettingsSchema>;

/** The policies a request to a profile with these settings may choose. */
export function allowedPolicies(policy: BusyPolicy, settings: BusySettings): BusyPolicy[] {
  return BusyPolicySchema.options.filter((p) => p === 'reject' || p === policy || settings.allow.includes(p));
}
