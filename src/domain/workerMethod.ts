import { z } from 'zod';

/**
 * Worker-protocol methods a caller may send through `invokeMethod`. Input (`run`, `notify`), `cancel`
 * and `shutdown` have their own operations and are not accepted here.
 */
export const WorkerMethodSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('pause') }),
  z.strictObject({ method: z.literal('resume') }),
  z.strictObject({ method: z.literal('compact') }),
  z.strictObject({ method: z.literal('list_rewind_targets') }),
  z.strictObject({
    method: z.literal('rewind_to'),
    params: z.strictObject({
      target: z.strictObject({ segment_id: z.union([z.string(), z.number()]), user_input_entry_index: z.number().int() }),
      expected_head_entries: z.number().int().nonnegative(),
    }),
  }),
  z.strictObject({
    method: z.literal('list_completions'),
    params: z.strictObject({ kind: z.literal('file'), prefix: z.string().max(4096) }),
  }),
  z.strictObject({ method: z.literal('list_workers') }),
  z.strictObject({ method: z.literal('restore_worker'), params: z.strictObject({ name: z.string().min(1).max(256) }) }),
  z.strictObject({ method: z.literal('register_peer'), params: z.strictObject({ name: z.string().min(1).max(256) }) }),
]);
export type WorkerMethod = z.infer<typeof WorkerMethodSchema>;
