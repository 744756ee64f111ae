// The publish hook's parser as it was before the fast paths of issue 15 (a wrapper deep-copied, then
// zod on every known event): the model the property tests compare the current parser against.
import type { z } from 'zod';
import { KNOWN_EVENT_DATA, type EventParseResult, type ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { referenceCopyPlainJson as copyPlainJson } from './referencePlainJson.js';

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const invalid = (message: string): EventParseResult => ({ ok: false, reason: 'invalid_event', message });

export function referenceParseProtocolEvent(raw: unknown, maxBytes: number): EventParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('(root): expected an object');
  const envelope = raw as { event?: unknown; data?: unknown };
  for (const key in envelope) if (key !== 'event' && key !== 'data') return invalid(`(root): unrecognized key "${key.slice(0, 32)}"`);
  const { event, data } = envelope;
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) return invalid('event: expected a snake_case event name');
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) return invalid('data: expected an object');
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
