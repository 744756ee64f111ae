import { z } from 'zod';
import { sanitizeText } from './sanitizeText.js';

/** Who ended a question: a person (through `decide`), the backend's policy, the question's deadline, or a cancel or stop. */
export const DecidedBySchema = z.enum(['person', 'policy', 'timeout', 'cancelled']);
export type DecidedBy = z.infer<typeof DecidedBySchema>;

/** The option kinds a person is offered (ACP's); anything else a backend names is shown as `other`. */
export const DecisionOptionKindSchema = z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always', 'other']);
export type DecisionOptionKind = z.infer<typeof DecisionOptionKindSchema>;

/** At most this many options per question, and open questions per Worker. */
export const MAX_DECISION_OPTIONS = 16;
export const MAX_OPEN_DECISIONS = 16;
/** Longest and shortest deadline a question may name (ms). */
export const MAX_ASK_MS = 86_400_000;

/**
 * What a backend hands `ExecutionContext.ask`, as the Runtime parses it (at the port, like every
 * backend answer): bounded, unknown fields ignored, option ids unique.
 */
export const DecisionQuestionSchema = z
  .object({
    title: z.string().max(16 * 1024),
    toolKind: z.string().max(256).nullish(),
    toolCallId: z.string().max(1024).nullish(),
    options: z
      .array(z.object({ id: z.string().min(1).max(1024), name: z.string().max(16 * 1024), kind: z.string().max(256) }))
      .min(1)
      .max(MAX_DECISION_OPTIONS),
    /** How long the question waits for a person before the backend's fallback answers it (`decision_timeout`). */
    timeoutMs: z.number().int().min(1).max(MAX_ASK_MS).optional(),
  })
  .refine((q) => new Set(q.options.map((o) => o.id)).size === q.options.length, { message: 'option ids must be unique', path: ['options'] });
export type DecisionQuestion = z.infer<typeof DecisionQuestionSchema>;

/** One offered option, browser-safe: `id` is what a person answers with. */
export const DecisionOptionSchema = z.strictObject({ id: z.string(), name: z.string(), kind: DecisionOptionKindSchema });
export type DecisionOption = z.infer<typeof DecisionOptionSchema>;

/** A question waiting for a person, as a browser sees it on the Worker's projection. */
export const PendingDecisionSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  toolKind: z.string().nullable(),
  toolCallId: z.string().nullable(),
  options: z.array(DecisionOptionSchema),
  requestedAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type PendingDecision = z.infer<typeof PendingDecisionSchema>;

/** What the Runtime hands a backend's `decide`: the person's option, or "the deadline passed: answer with your fallback". */
export type DecisionAnswer =
  | { readonly decisionId: string; readonly decidedBy: 'person'; readonly optionId: string }
  | { readonly decisionId: string; readonly decidedBy: 'timeout' };

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const SNAKE = /^[a-z][a-z0-9_]{0,63}$/;

/** An id a browser may see and send back in a URL or a body; else null. */
export function safeId(id: string): string | null {
  return SAFE_ID.test(id) && sanitizeText(id) === id ? id : null;
}

/** A tool kind as shown: snake_case and harmless, or `other`. */
export function safeKind(kind: string | null | undefined): string | null {
  if (kind == null || kind === '') return null;
  return SNAKE.test(kind) && sanitizeText(kind) === kind ? kind : 'other';
}

export function optionKind(kind: string): DecisionOptionKind {
  const parsed = DecisionOptionKindSchema.safeParse(kind);
  return parsed.success ? parsed.data : 'other';
}

/**
 * The browser-safe options of a question: names sanitised and bounded; an id that is not safe to show
 * (a path, a secret-looking string, odd characters) is replaced by `option-<n>`. Returns each shown
 * option with the backend's own id, which only `decide` gets back.
 */
export function shownOptions(question: DecisionQuestion): { readonly shown: DecisionOption; readonly backendId: string }[] {
  const taken = new Set<string>();
  return question.options.map((option, index) => {
    let id = safeId(option.id) ?? `option-${index + 1}`;
    while (taken.has(id)) id = `${id}-${index + 1}`;
    taken.add(id);
    return { shown: { id, name: sanitizeText(option.name, 128) || `option ${index + 1}`, kind: optionKind(option.kind) }, backendId: option.id };
  });
}
