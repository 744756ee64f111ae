import type { ObservationFrame } from './observation.js';
import type { ProtocolEvent } from './protocolEvent.js';
import { isSafeCode } from './diagnostic.js';
import { sanitizeText } from './sanitizeText.js';

/** An observation frame as it may be sent to a browser (SSE, WebSocket, HTTP). */
export type BrowserFrame =
  | {
      readonly type: 'observation';
      readonly cursor: string;
      readonly sequence: number;
      readonly publishedAt: number;
      readonly replayed: boolean;
      readonly history: boolean;
      readonly event: ProtocolEvent;
    }
  | Exclude<ObservationFrame, { type: 'observation' }>;

/** Event fields that carry backend free text about the host rather than conversation content. */
const FREE_TEXT: Readonly<Record<string, readonly string[]>> = {
  error: ['message'],
  alert: ['message', 'source'],
  compact_failed: ['error'],
  llm_retry: ['error'],
};

/** Fields that make an object greeting-shaped (protocol-events.md): one of these beside a `cwd`. */
const GREETING_FIELDS = ['worker_name', 'provider', 'model', 'scope_summary', 'tools', 'context_window', 'context_tokens'];
/** Deeper than this, a value is replaced (a host path must not hide below the walk). */
const MAX_DEPTH = 64;

/**
 * `value` without the host path (`cwd`) of every greeting-shaped object anywhere inside it: the value
 * of a `greeting` field, or an object with a `cwd` and a greeting field (`worker_name`, `provider`,
 * ...). A snapshot nested in another event (`internal_worker`, `snapshot.internal_workers`, a
 * `workers_listed` reply) is covered the same way. Copies only what changes.
 */
export function withoutHostPaths(value: unknown, isGreeting = false, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[redacted-depth]';
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = withoutHostPaths(value[i], false, depth + 1);
      if (item !== value[i]) (copy ??= [...value])[i] = item;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const strip = 'cwd' in record && (isGreeting || GREETING_FIELDS.some((field) => field in record));
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(record)) {
    if (strip && key === 'cwd') continue;
    const next = withoutHostPaths(item, key === 'greeting', depth + 1);
    if (next !== item) (copy ??= { ...record })[key] = next;
  }
  if (!strip) return copy ?? value;
  const { cwd: _cwd, ...rest } = copy ?? record;
  return rest;
}

/**
 * The browser-bound form of a protocol event: host paths are removed from every greeting-shaped
 * object in it (`withoutHostPaths`), backend free text in error-like events is sanitised.
 * Conversation content (text, tool calls and results) is the Worker's output and passes unchanged.
 */
export function toBrowserEvent(event: ProtocolEvent): ProtocolEvent {
  const original = event.data;
  if (!original) return event;
  const data = withoutHostPaths(original) as Readonly<Record<string, unknown>>;
  const fields = FREE_TEXT[event.event];
  if (!fields) return data === original ? event : { event: event.event, data };
  const copy: Record<string, unknown> = { ...data };
  for (const field of fields) if (copy[field] !== undefined) copy[field] = sanitizeDeep(copy[field]);
  if (event.event === 'error' && copy.code !== undefined && !isSafeCode(copy.code)) copy.code = 'unknown';
  return { event: event.event, data: copy };
}

/** Sanitises every string inside a value (strings one by one, so JSON escapes cannot hide a secret). */
function sanitizeDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return typeof value === 'object' && value !== null ? '[redacted-depth]' : value;
  if (Array.isArray(value)) return value.map((item) => sanitizeDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [sanitizeText(key, 128), sanitizeDeep(item, depth + 1)]));
}

export function toBrowserFrame(frame: ObservationFrame): BrowserFrame {
  if (frame.type !== 'observation') return frame;
  const { observation } = frame;
  return {
    type: 'observation',
    cursor: observation.cursor,
    sequence: observation.sequence,
    publishedAt: observation.publishedAt,
    replayed: frame.replayed,
    history: observation.history,
    event: toBrowserEvent(observation.event),
  };
}
