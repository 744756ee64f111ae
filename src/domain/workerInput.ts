import { z } from 'zod';
import { utf8Length } from './jsonBytes.js';

export { utf8Length } from './jsonBytes.js';

export const MAX_INPUT_BYTES = 256 * 1024;
const MAX_TEXT = 128 * 1024;

const TextSegment = z.strictObject({ kind: z.literal('text'), content: z.string().min(1).max(MAX_TEXT) });
const PasteSegment = z.strictObject({
  kind: z.literal('paste'),
  id: z.string().min(1).max(128),
  chars: z.number().int().nonnegative(),
  lines: z.number().int().nonnegative(),
  content: z.string().max(MAX_TEXT),
});
const FileRefSegment = z.strictObject({ kind: z.literal('file_ref'), path: z.string().min(1).max(4096) });
const FlowSegment = z.strictObject({ kind: z.literal('flow'), selector: z.string().min(1).max(1024) });
const KNOWN_KINDS = new Set(['text', 'paste', 'file_ref', 'flow']);
/** A segment kind from a newer peer is kept as is (still size-bounded by the whole input). */
const UnknownSegment = z.looseObject({
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .refine((k) => !KNOWN_KINDS.has(k), 'known segment kind with invalid fields'),
});

export const SegmentSchema = z.union([TextSegment, PasteSegment, FileRefSegment, FlowSegment, UnknownSegment]);
export type Segment = z.infer<typeof SegmentSchema>;

export const UserInputSchema = z.strictObject({
  kind: z.literal('user'),
  segments: z.array(SegmentSchema).min(1).max(64),
});
export const NotifyInputSchema = z.strictObject({
  kind: z.literal('notify'),
  message: z.string().min(1).max(MAX_TEXT),
  autoRun: z.boolean().optional(),
});

/** Input a caller submits to a Worker: a user turn or a notification. Bounded to MAX_INPUT_BYTES. */
export const WorkerInputSchema = z
  .discriminatedUnion('kind', [UserInputSchema, NotifyInputSchema])
  .refine((input) => withinInputBound(input), {
    message: `input larger than ${MAX_INPUT_BYTES} bytes`,
  });

/**
 * True when the serialised input fits MAX_INPUT_BYTES. Plain text inputs are bounded without
 * serialising (3 bytes per UTF-16 unit, doubled for escapes, plus framing); others are measured.
 */
function withinInputBound(input: { kind: string; message?: string; segments?: readonly { kind: string; content?: unknown }[] }): boolean {
  let units = 64;
  if (input.kind === 'notify') units += input.message!.length;
  for (const segment of input.segments ?? []) {
    if (segment.kind !== 'text' || typeof segment.content !== 'string') return utf8Length(JSON.stringify(input)) <= MAX_INPUT_BYTES;
    units += segment.content.length + 32;
  }
  return units * 6 <= MAX_INPUT_BYTES || utf8Length(JSON.stringify(input)) <= MAX_INPUT_BYTES;
}
export type WorkerInput = z.infer<typeof WorkerInputSchema>;

/** A user input holding one text segment. */
export function textInput(content: string): WorkerInput {
  return { kind: 'user', segments: [{ kind: 'text', content }] };
}
