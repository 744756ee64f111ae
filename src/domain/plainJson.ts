import { jsonStringBytes } from './jsonBytes.js';

export type CopyResult = { ok: true; value: unknown; bytes: number } | { ok: false; message: string };

const MAX_DEPTH = 64;

/**
 * A deep copy of a plain JSON value (objects with the plain prototype, arrays, strings, finite
 * numbers, booleans, null; `undefined` object fields are dropped as JSON.stringify does) with its
 * serialised size in bytes as JSON.stringify writes it in UTF-8 (escapes included), computed on the way. Anything else (functions, class
 * instances, non-finite numbers, bigint, cycles deeper than 64) is refused. Stops early once the size
 * passes `maxBytes`. Cheaper than a JSON.stringify/JSON.parse round trip on the publish hot path.
 * `depth`: how deep `value` already sits in an enclosing value (the nesting bound counts from there).
 */
export function copyPlainJson(value: unknown, maxBytes: number, depth = 0): CopyResult {
  const state = { bytes: 0, max: maxBytes, error: null as string | null };
  const copy = copyValue(value, state, depth);
  if (state.error === null && state.bytes > maxBytes) state.error = 'too_large';
  if (state.error !== null) return { ok: false, message: state.error };
  return { ok: true, value: copy, bytes: state.bytes };
}

/** Where a copy counts its bytes against `max`; `error` set once it fails (`too_large` or why it is not JSON). */
export interface CopyState {
  bytes: number;
  max: number;
  error: string | null;
}
type State = CopyState;

/** `copyPlainJson` into a caller's state (reset by the caller): the copy, meaningful only while `state.error` is null. */
export function copyPlainJsonWith(value: unknown, state: CopyState, depth: number): unknown {
  const copy = copyValue(value, state, depth);
  if (state.error === null && state.bytes > state.max) state.error = 'too_large';
  return copy;
}

function copyValue(value: unknown, state: State, depth: number): unknown {
  if (state.error !== null) return undefined;
  if (state.bytes > state.max) {
    state.error = 'too_large';
    return undefined;
  }
  switch (typeof value) {
    case 'string':
      state.bytes += jsonStringBytes(value);
      return value;
    case 'number':
      if (!Number.isFinite(value)) return fail(state, 'a number is not finite');
      state.bytes += String(value).length;
      return value;
    case 'boolean':
      state.bytes += value ? 4 : 5;
      return value;
    case 'object':
      if (value === null) {
        state.bytes += 4;
        return null;
      }
      if (depth >= MAX_DEPTH) return fail(state, 'nested too deeply');
      return Array.isArray(value) ? copyArray(value, state, depth) : copyObject(value, state, depth);
    default:
      return fail(state, `a ${typeof value} is not JSON`);
  }
}

function copyArray(items: unknown[], state: State, depth: number): unknown[] {
  const out = new Array<unknown>(items.length);
  state.bytes += 2 + Math.max(0, items.length - 1);
  for (let i = 0; i < items.length; i++) out[i] = items[i] === undefined ? null : copyValue(items[i], state, depth + 1);
  return out;
}

/**
 * Copies an object's enumerable string-keyed fields (each read once: a getter runs once), dropping
 * `undefined` ones and symbol keys. `for...in` is V8's fast path here (its enumeration cache); it
 * would also list enumerable fields inherited from a polluted `Object.prototype`, which are then
 * copied as fields of their own: sized and stored like any other, so the bounds still hold. A
 * `__proto__` field stays a field (an assignment would set the copy's prototype instead).
 */
function copyObject(object: object, state: State, depth: number): Record<string, unknown> | undefined {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return fail(state, 'an object is not a plain object') as undefined;
  const out: Record<string, unknown> = {};
  let entries = 0;
  let bytes = 0;
  for (const key in object) {
    const item = (object as Record<string, unknown>)[key];
    if (item === undefined) continue;
    bytes += jsonStringBytes(key) + 1; // "key":
    entries++;
    let value: unknown = item;
    // Strings and booleans (the usual fields) are sized here; anything else goes through copyValue.
    if (typeof item === 'string') {
      bytes += jsonStringBytes(item);
      if (state.bytes + bytes > state.max) return fail(state, 'too_large') as undefined; // stop early, as copyValue would at the next value
    } else if (typeof item === 'boolean') bytes += item ? 4 : 5;
    else {
      state.bytes += bytes;
      bytes = 0;
      value = copyValue(item, state, depth + 1);
      if (state.error !== null) return undefined;
    }
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  state.bytes += bytes + 2 + Math.max(0, entries - 1); // braces and commas
  return out;
}

function fail(state: State, message: string): undefined {
  state.error ??= message;
  return undefined;
}
