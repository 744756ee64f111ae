import { jsonStringBytes } from './jsonBytes.js';

/**
 * The UTF-8 byte length of `JSON.stringify(value)` for a plain JSON value (what the publish hook
 * stores), without building it. Used where the hook's own measure did not come along.
 */
export function jsonValueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return jsonStringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let bytes = 2 + Math.max(0, value.length - 1);
        for (const item of value) bytes += item === undefined ? 4 : jsonValueBytes(item);
        return bytes;
      }
      return objectBytes(value as Record<string, unknown>);
    default:
      return 0;
  }
}

function objectBytes(object: Record<string, unknown>): number {
  let bytes = 2;
  let entries = 0;
  for (const key in object) {
    const item = object[key];
    if (item === undefined || !Object.hasOwn(object, key)) continue;
    bytes += jsonStringBytes(key) + 1 + jsonValueBytes(item);
    entries++;
  }
  return bytes + Math.max(0, entries - 1);
}
