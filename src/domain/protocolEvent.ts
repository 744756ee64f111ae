import { z } from 'zod';
import { copyPlainJson } from './plainJson.js';

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

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export type EventParseResult =
  | { ok: true; event: ProtocolEvent; /** Its JSON size as stored. */ bytes: number }
  | { ok: false; reason: 'invalid_event' | 'too_large'; message: string };

const invalid = (message: string): EventParseResult => ({ ok: false, reason: 'invalid_event', message });

/**
 * Validates a protocol event at the publish edge: the envelope `{ event, data? }` (no other field), the
 * serialised size (its JSON as stored and sent, escapes included), and the known kind's `data`.
 * Unknown kinds pass with only the envelope checked. Returns a deep plain-JSON copy, and checks the
 * copy: each field of the backend's object is read once, so what is stored is what was checked. The
 * envelope is checked by hand: this runs once per event. Reading a hostile object (getters, proxies)
 * may throw; callers at a boundary catch that.
 */
export function parseProtocolEvent(raw: unknown, maxBytes = DEFAULT_MAX_EVENT_BYTES): EventParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('(root): expected an object');
  const envelope = raw as { event?: unknown; data?: unknown };
  for (const key in envelope) if (key !== 'event' && key !== 'data') return invalid(`(root): unrecognized key "${key.slice(0, 32)}"`);
  const { event, data } = envelope;
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) return invalid('event: expected a snake_case event name');
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) return invalid('data: expected an object');
  // A deep plain-JSON copy, sized on the way: the stored event cannot change when the backend mutates its object later.
  const copy = copyPlainJson(data === undefined ? { event } : { event, data }, maxBytes);
  if (!copy.ok) {
    return copy.message === 'too_large'
      ? { ok: false, reason: 'too_large', message: `event exceeds ${maxBytes} bytes` }
      : invalid(`event is not plain JSON: ${copy.message}`);
  }
  if (copy.bytes > maxBytes) return { ok: false, reason: 'too_large', message: `event of ${copy.bytes} bytes exceeds ${maxBytes}` };
  const stored = copy.value as ProtocolEvent;
  const schema = Object.hasOwn(KNOWN_EVENT_DATA, event) ? KNOWN_EVENT_DATA[event] : undefined;
  if (schema === null && stored.data !== undefined && Object.keys(stored.data).length > 0) return invalid(`${event} carries no data`);
  if (schema) {
    const parsed = schema.safeParse(stored.data);
    if (!parsed.success) return invalid(`${event}: ${firstIssue(parsed.error)}`);
  }
  return { ok: true, event: stored, bytes: copy.bytes };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
