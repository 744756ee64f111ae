import { z } from 'zod';
import { sanitizeDiagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { parseProtocolEvent, type ProtocolEvent } from '../domain/protocolEvent.js';
import { RunStateSchema, type RunState } from '../domain/workerState.js';
import type { ExecutionHandle } from '../ports/executionBackendPort.js';

/** The longest restore token a Worker catalog keeps. */
const MAX_RESTORE_TOKEN = 4096;
/** Submission ids are the Runtime's own (at most a few dozen characters); anything much longer cannot be an acknowledgement. */
const MAX_SUBMISSION_ID = 256;

const Rejected = z.object({ status: z.literal('rejected'), diagnostic: z.unknown() });
const Unsupported = z.object({ status: z.literal('unsupported') });
const Ready = z.object({
  status: z.literal('ready'),
  handle: z.unknown(),
  state: RunStateSchema.optional(),
  restoreToken: z.string().max(MAX_RESTORE_TOKEN).optional(),
});
const SpawnAnswerSchema = z.discriminatedUnion('status', [Ready, Rejected]);
const RestoreAnswerSchema = z.discriminatedUnion('status', [Ready, Rejected, Unsupported]);
const DispatchAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('accepted'), submissionId: z.string().max(MAX_SUBMISSION_ID).optional(), state: RunStateSchema.optional() }),
  z.object({ status: z.literal('busy'), message: z.string().optional() }),
  Rejected,
]);
const ControlAnswerSchema = z.discriminatedUnion('status', [z.object({ status: z.literal('done') }), Rejected, Unsupported]);
const SnapshotAnswerSchema = z.discriminatedUnion('status', [z.object({ status: z.literal('ready'), snapshot: z.unknown() }), Rejected, Unsupported]);

type Refused = { readonly status: 'rejected'; readonly diagnostic: Diagnostic } | { readonly status: 'unsupported' };
export type StartAnswer =
  | { readonly status: 'ready'; readonly handle: ExecutionHandle; readonly state?: RunState; readonly restoreToken?: string }
  | Refused;
export type DispatchAnswer =
  | { readonly status: 'accepted'; readonly submissionId?: string; readonly state?: RunState }
  | { readonly status: 'busy'; readonly message?: string }
  | Extract<Refused, { status: 'rejected' }>;
export type ControlAnswer = { readonly status: 'done' } | Refused;
export type SnapshotAnswer = { readonly status: 'ready'; readonly snapshot: unknown } | Refused;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * Parses a backend's answer once, at the port: every field the Runtime uses is read exactly once into
 * a fresh object and checked (statuses, run states, ids, bounds); a diagnostic becomes a sanitised
 * copy. An answer that is malformed, or whose reading throws (getters, proxies), is `ok: false` with
 * a message that quotes nothing the backend wrote.
 */
function parseWith<T>(schema: z.ZodType, raw: unknown, what: string): Parsed<T> {
  try {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const path = parsed.error.issues[0]?.path.filter((p) => typeof p === 'string').join('.');
      return { ok: false, message: `the backend's ${what} answer is malformed${path ? ` (${path})` : ''}` };
    }
    const value = parsed.data as { status: string; diagnostic?: unknown };
    if (value.status === 'rejected') return { ok: true, value: { status: 'rejected', diagnostic: sanitizeDiagnostic(value.diagnostic) } as T };
    return { ok: true, value: value as T };
  } catch {
    return { ok: false, message: `the backend's ${what} answer could not be read` };
  }
}

export function parseSpawnAnswer(raw: unknown): Parsed<StartAnswer> {
  return parseWith(SpawnAnswerSchema, raw, 'spawn');
}

export function parseRestoreAnswer(raw: unknown): Parsed<StartAnswer> {
  return parseWith(RestoreAnswerSchema, raw, 'restore');
}

const RUN_STATES: ReadonlySet<unknown> = new Set(RunStateSchema.options);

/**
 * `DispatchAnswerSchema`, with the answer of nearly every input (`accepted`) checked by hand first:
 * this runs once per input. Each field is read once; the result is what the schema gives for it
 * (a property test holds the two equal), and every other answer goes through the schema.
 */
export function parseDispatchAnswer(raw: unknown): Parsed<DispatchAnswer> {
  if (typeof raw === 'object' && raw !== null) {
    try {
      const { status, submissionId, state } = raw as Record<string, unknown>;
      if (
        status === 'accepted' &&
        (submissionId === undefined || (typeof submissionId === 'string' && submissionId.length <= MAX_SUBMISSION_ID)) &&
        (state === undefined || RUN_STATES.has(state))
      ) {
        const value: { status: 'accepted'; submissionId?: string; state?: RunState } = { status };
        if (submissionId !== undefined) value.submissionId = submissionId as string;
        if (state !== undefined) value.state = state as RunState;
        return { ok: true, value };
      }
    } catch {
      return { ok: false, message: "the backend's dispatch answer could not be read" };
    }
  }
  return parseWith(DispatchAnswerSchema, raw, 'dispatch');
}

/** The schema itself, for the property that holds `parseDispatchAnswer` to it. */
export function parseDispatchAnswerWithSchema(raw: unknown): Parsed<DispatchAnswer> {
  return parseWith(DispatchAnswerSchema, raw, 'dispatch');
}

export function parseControlAnswer(raw: unknown, what: string): Parsed<ControlAnswer> {
  return parseWith(ControlAnswerSchema, raw, what);
}

export function parseSnapshotAnswer(raw: unknown): Parsed<SnapshotAnswer> {
  return parseWith(SnapshotAnswerSchema, raw, 'snapshot');
}

/**
 * The handle of a malformed answer that still says `ready`, so the execution it names can be
 * released. Best effort: a second read of a hostile object may differ or throw.
 */
export function readyHandleOf(raw: unknown): { readonly handle: ExecutionHandle } | null {
  try {
    const answer = raw as { status?: unknown; handle?: unknown } | null;
    if (typeof answer !== 'object' || answer === null || answer.status !== 'ready') return null;
    return { handle: answer.handle };
  } catch {
    return null;
  }
}

/** A snapshot's data, checked, size-bounded and copied as a `snapshot` event is at the publish hook. */
export function parseSnapshotData(data: unknown, maxBytes: number): { ok: true; event: ProtocolEvent } | { ok: false; message: string } {
  try {
    const parsed = parseProtocolEvent({ event: 'snapshot', data }, maxBytes);
    if (parsed.ok) return parsed;
    return { ok: false, message: parsed.reason === 'too_large' ? `the backend's snapshot exceeds ${maxBytes} bytes` : "the backend's snapshot is malformed" };
  } catch {
    return { ok: false, message: "the backend's snapshot could not be read" };
  }
}
