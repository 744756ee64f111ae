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

/**
 * The browser-bound form of a protocol event: host paths are removed from a snapshot's greeting
 * (`cwd`), backend free text in error-like events is sanitised. Conversation content (text, tool
 * calls and results) is the Worker's output and passes unchanged.
 */
export function toBrowserEvent(event: ProtocolEvent): ProtocolEvent {
  const data = event.data;
  if (!data) return event;
  if (event.event === 'snapshot') return { event: event.event, data: withoutCwd(data) };
  const fields = FREE_TEXT[event.event];
  if (!fields) return event;
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

function withoutCwd(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const greeting = data.greeting;
  if (!greeting || typeof greeting !== 'object') return { ...data };
  const { cwd: _cwd, ...rest } = greeting as Record<string, unknown>;
  return { ...data, greeting: rest };
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
