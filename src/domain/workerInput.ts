import { z } from 'zod';
import { copyPlainJson } from './plainJson.js';

export { utf8Length } from './jsonBytes.js';

export const MAX_INPUT_BYTES = 256 * 1024;
export const MAX_TEXT = 128 * 1024;

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

/** Input a caller submits to a Worker: a user turn or a notification. Plain JSON, bounded to MAX_INPUT_BYTES. */
export const WorkerInputSchema = z
  .discriminatedUnion('kind', [UserInputSchema, NotifyInputSchema])
  .superRefine((input, context) => {
    const issue = inputBoundIssue(input);
    if (issue) context.addIssue({ code: 'custom', message: issue });
  });

/**
 * Why the input does not fit, or null. Plain text inputs are bounded without serialising (6 bytes
 * per UTF-16 unit covers every escape, plus framing); others (an unknown segment kind may carry
 * anything) are measured by a plain-JSON copy, which also refuses cycles, BigInts and class instances.
 */
function inputBoundIssue(input: { kind: string; message?: string; segments?: readonly { kind: string; content?: unknown }[] }): string | null {
  let units = 64;
  if (input.kind === 'notify') units += input.message!.length;
  let plainText = true;
  for (const segment of input.segments ?? []) {
    if (segment.kind !== 'text' || typeof segment.content !== 'string') {
      plainText = false;
      break;
    }
    units += segment.content.length + 32;
  }
  if (plainText && units * 6 <= MAX_INPUT_BYTES) return null;
  const copy = copyPlainJson(input, MAX_INPUT_BYTES);
  if (copy.ok) return null;
  return copy.message === 'too_large' ? `input larger than ${MAX_INPUT_BYTES} bytes` : `input is not plain JSON: ${copy.message}`;
}
export type WorkerInput = z.infer<typeof WorkerInputSchema>;

/** A user input holding one text segment. */
export function textInput(content: string): WorkerInput {
  return { kind: 'user', segments: [{ kind: 'text', content }] };
}
