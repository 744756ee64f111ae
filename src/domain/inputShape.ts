import { MAX_INPUT_BYTES, MAX_TEXT, type WorkerInput } from './workerInput.js';

/**
 * A cheap structural check for the common inputs: a user turn of text segments, or a notification,
 * as plain objects and arrays with exactly the schema's keys, within its bounds. It answers a fresh
 * copy exactly as `WorkerInputSchema` would parse it, or null whenever it is not sure (anything
 * else: other segment kinds, extra or undefined keys, another prototype, a value whose reading
 * throws, a size the schema must measure), and then the schema decides. It never accepts what the
 * schema refuses, so the Runtime validates untrusted input either way, without a second zod parse
 * of what the HTTP route has already checked.
 */
export function plainInput(value: unknown): WorkerInput | null {
  try {
    if (!isPlainObject(value)) return null;
    const kind = value.kind;
    if (kind === 'user') return userInput(value);
    if (kind === 'notify') return notifyInput(value);
    return null;
  } catch {
    return null; // a getter or proxy that throws: the schema's parse answers it
  }
}

function userInput(value: Record<string, unknown>): WorkerInput | null {
  if (!hasExactly(value, 2, 'segments')) return null;
  const segments = value.segments;
  if (!Array.isArray(segments) || Object.getPrototypeOf(segments) !== Array.prototype) return null;
  const count = segments.length;
  if (count < 1 || count > 64) return null;
  let units = 64;
  const copy: { kind: 'text'; content: string }[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const segment: unknown = segments[i];
    if (!isPlainObject(segment) || segment.kind !== 'text' || !hasExactly(segment, 2, 'content')) return null;
    const content = segment.content;
    if (typeof content !== 'string' || content.length < 1 || content.length > MAX_TEXT) return null;
    units += content.length + 32;
    copy[i] = { kind: 'text', content };
  }
  if (units * 6 > MAX_INPUT_BYTES) return null;
  return { kind: 'user', segments: copy };
}

function notifyInput(value: Record<string, unknown>): WorkerInput | null {
  const keys = Object.keys(value).length;
  const message = value.message;
  if (typeof message !== 'string' || message.length < 1 || message.length > MAX_TEXT || (64 + message.length) * 6 > MAX_INPUT_BYTES) return null;
  if (keys === 2 && hasExactly(value, 2, 'message')) return { kind: 'notify', message };
  if (keys !== 3 || !Object.hasOwn(value, 'message') || !Object.hasOwn(value, 'autoRun')) return null;
  const autoRun = value.autoRun;
  if (typeof autoRun !== 'boolean') return null;
  return { kind: 'notify', message, autoRun };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own keys are exactly `kind` and `other` (`count` is 2). */
function hasExactly(value: Record<string, unknown>, count: number, other: string): boolean {
  return Object.keys(value).length === count && Object.hasOwn(value, 'kind') && Object.hasOwn(value, other);
}
