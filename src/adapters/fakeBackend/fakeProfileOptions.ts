import { z } from 'zod';

/** A fake profile's options: how its spawns answer (default `ready`); for tests and demos of failures. */
export const FakeProfileOptionsSchema = z
  .strictObject({ spawn: z.enum(['ready', 'busy_ready', 'reject', 'throw', 'hang', 'invalid']).optional() })
  .optional();
export type FakeProfileOptions = z.infer<typeof FakeProfileOptionsSchema>;
