// copyPlainJson as it was before the fast paths (issue 15): the model the property tests compare against.
import { jsonStringBytes } from '../../src/domain/jsonBytes.js';

export type CopyResult = { ok: true; value: unknown; bytes: number } | { ok: false; message: string };

const MAX_DEPTH = 64;

/**
 * A deep copy of a plain JSON value (objects with the plain prototype, arrays, strings, finite
 * numbers, booleans, null; `undefined` object fields are dropped as JSON.stringify does) with its
 * serialised size in bytes as JSON.stringify writes it in UTF-8 (escapes included), computed on the way. Anything else (functions, class
 * instances, non-finite numbers, bigint, cycles deeper than 64) is refused. Stops early once the size
 * passes `maxBytes`. Cheaper than a JSON.stringify/JSON.parse round trip on the publish hot path.
 */
export function referenceCopyPlainJson(value: unknown, maxBytes: number): CopyResult {
  const state = { bytes: 0, max: maxBytes, error: null as string | null };
  const copy = copyValue(value, state, 0);
  if (state.error === null && state.bytes > maxBytes) state.error = 'too_large';
  if (state.error !== null) return { ok: false, message: state.error };
  return { ok: true, value: copy, bytes: state.bytes };
}

interface State {
  bytes: number;
  max: number;
  error: string | null;
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

function copyObject(object: object, state: State, depth: number): Record<string, unknown> | undefined {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return fail(state, 'an object is not a plain object') as undefined;
  const out: Record<string, unknown> = {};
  let entries = 0;
  for (const key of Object.keys(object)) {
    const item = (object as Record<string, unknown>)[key];
    if (item === undefined) continue;
    state.bytes += jsonStringBytes(key) + 1; // "key":
    entries++;
    out[key] = copyValue(item, state, depth + 1);
  }
  state.bytes += 2 + Math.max(0, entries - 1); // braces and commas
  return out;
}

function fail(state: State, message: string): undefined {
  state.error ??= message;
  return undefined;
}
