import { z } from 'zod';
import { copyPlainJsonWith, type CopyState } from './plainJson.js';

/** Largest serialised protocol event accepted at the publish hook. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

const str = z.string();
const int = z.number().int();
const optInt = int.nonnegative().optional();

const Greeting = z.looseObject({
  worker_name: str.optional(),
  cwd: str.optional(),
  provider: str.optional(),
  model: str.optional(),
  scope_summary: z.unknown().optional(),
  tools: z.array(z.unknown()).optional(),
  context_window: optInt,
  context_tokens: optInt,
});

/**
 * `data` schemas of the known events (docs/protocol.md). Objects are loose: a newer peer may add
 * fields. Unit events (`thinking_start`, `compact_start`, `shutdown`) carry no data.
 */
export const KNOWN_EVENT_DATA: Readonly<Record<string, z.ZodType | null>> = {
  // The worker's record of what it committed: any segment kind, any extra field (bounded by the event size, not the input schema).
  user_message: z.looseObject({ segments: z.array(z.looseObject({ kind: str })) }),
  system_item: z.looseObject({ item: z.unknown() }),
  invoke_start: z.looseObject({ kind: str }),
  turn_start: z.looseObject({ turn: int }),
  turn_end: z.looseObject({ turn: int, result: str }),
  run_end: z.looseObject({ result: str }),
  llm_call_start: z.looseObject({ llm_call: z.unknown() }),
  llm_call_end: z.looseObject({ llm_call: z.unknown() }),
  llm_retry: z.looseObject({ llm_call: z.unknown(), failed_attempt: int, max_attempts: int, error: z.unknown() }),
  llm_continuation: z.looseObject({ llm_call: z.unknown(), attempt: int, max_attempts: int, reason: z.unknown() }),
  text_delta: z.looseObject({ text: str }),
  text_done: z.looseObject({ text: str }),
  thinking_start: null,
  thinking_delta: z.looseObject({ text: str }),
  thinking_done: z.looseObject({ text: str }),
  tool_call_start: z.looseObject({ id: str, name: str }),
  tool_call_args_delta: z.looseObject({ id: str, json: str }),
  tool_call_done: z.looseObject({ id: str, name: str, arguments: z.unknown() }),
  tool_result: z.looseObject({ id: str, summary: z.unknown(), output: z.unknown().optional(), is_error: z.boolean() }),
  usage: z.looseObject({ input_tokens: optInt, output_tokens: optInt, cache_read_input_tokens: optInt }),
  status: z.looseObject({ status: z.enum(['idle', 'running', 'paused']) }),
  error: z.looseObject({ code: str, message: str }),
  snapshot: z.looseObject({ entries: z.array(z.unknown()), greeting: Greeting, status: str, in_flight: z.unknown().optional() }),
  segment_rotated: z.looseObject({ entry: z.unknown() }),
  compact_start: null,
  compact_done: z.looseObject({ new_segment_id: z.unknown() }),
  compact_failed: z.looseObject({ error: z.unknown() }),
  shutdown: null,
  alert: z.looseObject({ level: z.enum(['warn', 'error']), source: str, message: str, timestamp_ms: int }),
};

/** One protocol event: `{ event, data? }` in the yoi worker protocol's JSON shape. */
export interface ProtocolEvent {
  readonly event: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** `/^[a-z][a-z0-9_]{0,63}$/.test(name)`, by hand (this runs once per published event). */
export function isEventName(name: string): boolean {
  const length = name.length;
  if (length === 0 || length > 64) return false;
  const first = name.charCodeAt(0);
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = 1; i < length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/** Why an event was refused at the publish edge. */
export interface EventRefusal {
  readonly ok: false;
  readonly reason: 'invalid_event' | 'too_large';
  readonly message: string;
}

export type EventParseResult = { ok: true; event: ProtocolEvent; /** Its JSON size as stored. */ bytes: number } | EventRefusal;

const invalid = (message: string): EventRefusal => ({ ok: false, reason: 'invalid_event', message });

/**
 * Per known kind whose `data` schema is a loose object of plain required strings only (`text_delta`,
 * `tool_call_args_delta`, ...): those field names. Such data passes its schema exactly when each of
 * them is a string, so the check is done by hand, and zod runs only to word a refusal. Derived from
 * the schemas themselves, so it cannot drift from them.
 */
const STRING_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(KNOWN_EVENT_DATA).flatMap(([event, schema]) => {
    const fields = schema ? plainStringFields(schema) : null;
    return fields ? [[event, fields] as const] : [];
  }),
);

function plainStringFields(schema: z.ZodType): string[] | null {
  const def = schema.def as { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType };
  if (def.type !== 'object' || !def.shape || def.catchall?.def.type !== 'unknown') return null;
  const fields = Object.keys(def.shape);
  for (const field of fields) {
    const fieldDef = def.shape[field]!.def as { type: string; checks?: unknown[] };
    if (fieldDef.type !== 'string' || (fieldDef.checks?.length ?? 0) > 0) return null;
  }
  return fields;
}

/**
 * The envelope's JSON bytes around `data` as the copy counts them: `"event":` + the name + `"data":`
 * before it (names are ASCII, never escaped), and the braces and comma after (`{`, `,`, `}`).
 */
const BEFORE_DATA = 8 + 2 + 7;
const AFTER_DATA = 3;

/**
 * Validates a protocol event at the publish edge: the envelope `{ event, data? }` (no other field), the
 * serialised size (its JSON as stored and sent, escapes included), and the known kind's `data`.
 * Unknown kinds pass with only the envelope checked. Returns a deep plain-JSON copy, and checks the
 * copy: each field of the backend's object is read once, so what is stored is what was checked. The
 * envelope is checked by hand: this runs once per event. Reading a hostile object (getters, proxies)
 * may throw; callers at a boundary catch that.
 */
export function parseProtocolEvent(raw: unknown, maxBytes = DEFAULT_MAX_EVENT_BYTES): EventParseResult {
  const checked = checkProtocolEvent(raw, maxBytes);
  return isRefusal(checked) ? checked : { ok: true, event: checked, bytes: checkedBytes };
}

/** A refusal, told from a checked event (which has no `ok` field). */
export function isRefusal(checked: ProtocolEvent | EventRefusal): checked is EventRefusal {
  return (checked as { ok?: unknown }).ok === false;
}

/** The JSON size as stored of the event `checkProtocolEvent` accepted last (read right after the call). */
let checkedBytes = 0;

/** The stored JSON size of the event the last `checkProtocolEvent` call accepted (the bus's retention budget counts it). */
export function lastCheckedBytes(): number {
  return checkedBytes;
}

/** One copy state, lent to one call at a time (a getter that publishes again gets a fresh one). */
let spareState: CopyState | null = { bytes: 0, max: 0, error: null };

/** `parseProtocolEvent` without the result wrapper (the publish hook's path): the stored event, or why not. */
export function checkProtocolEvent(raw: unknown, maxBytes = DEFAULT_MAX_EVENT_BYTES): ProtocolEvent | EventRefusal {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('(root): expected an object');
  const envelope = raw as { event?: unknown; data?: unknown };
  for (const key in envelope) if (key !== 'event' && key !== 'data') return invalid(`(root): unrecognized key "${key.slice(0, 32)}"`);
  const { event, data } = envelope;
  if (typeof event !== 'string' || !isEventName(event)) return invalid('event: expected a snake_case event name');
  let stored: Record<string, unknown> | undefined;
  if (data === undefined) {
    if (8 + event.length + 2 + 2 > maxBytes) return tooLarge(maxBytes); // {"event":"name"}
    checkedBytes = 8 + event.length + 2 + 2;
  } else {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return invalid('data: expected an object');
    // A deep plain-JSON copy of `data`, sized on the way as part of the whole event's JSON: the stored
    // event cannot change when the backend mutates its object later.
    const before = BEFORE_DATA + event.length;
    const state = spareState ?? { bytes: 0, max: 0, error: null };
    spareState = null;
    state.bytes = 0;
    state.max = maxBytes - before;
    state.error = null;
    try {
      stored = copyPlainJsonWith(data, state, 1) as Record<string, unknown>;
    } finally {
      spareState = state;
    }
    if (state.error !== null) return state.error === 'too_large' ? tooLarge(maxBytes) : invalid(`event is not plain JSON: ${state.error}`);
    if (before + state.bytes + AFTER_DATA > maxBytes) return tooLarge(maxBytes);
    checkedBytes = before + state.bytes + AFTER_DATA;
    const fields = STRING_FIELDS.get(event);
    if (fields !== undefined && hasStrings(stored, fields)) return { event, data: stored };
  }
  const schema = Object.hasOwn(KNOWN_EVENT_DATA, event) ? KNOWN_EVENT_DATA[event] : undefined;
  if (schema === null && stored !== undefined && Object.keys(stored).length > 0) return invalid(`${event} carries no data`);
  if (schema) {
    const parsed = schema.safeParse(stored);
    if (!parsed.success) return invalid(`${event}: ${firstIssue(parsed.error)}`);
  }
  return stored === undefined ? { event } : { event, data: stored };
}

function hasStrings(data: Record<string, unknown>, fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) if (typeof data[fields[i]!] !== 'string') return false;
  return true;
}

const tooLarge = (maxBytes: number): EventRefusal => ({ ok: false, reason: 'too_large', message: `event exceeds ${maxBytes} bytes` });

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
