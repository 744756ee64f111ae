/** One `session/update` as received: only its kind is known to be there. */
export interface AcpUpdate {
  readonly sessionUpdate: string;
  readonly [field: string]: unknown;
}

/** Bytes a carried (unmapped) value may take in an event before it is replaced by a marker. */
export const MAX_CARRIED_BYTES = 64 * 1024;

/** The text of a text content block, or null for any other content. */
export function textOf(content: unknown): string | null {
  const block = content as { type?: unknown; text?: unknown } | null;
  return block?.type === 'text' && typeof block.text === 'string' ? block.text : null;
}

/** `value`, or a small marker when its JSON is larger than `maxBytes` (events stay size-bounded). */
export function bounded(value: unknown, maxBytes = MAX_CARRIED_BYTES): unknown {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return { truncated: true, reason: 'not serialisable' };
  }
  if (json === undefined) return undefined;
  return Buffer.byteLength(json) <= maxBytes ? value : { truncated: true, bytes: Buffer.byteLength(json) };
}

/** The fields of an update worth carrying: all but its kind and the protocol's `_meta`. */
export function carriedFields(update: AcpUpdate): Record<string, unknown> {
  const { sessionUpdate: _kind, _meta: _ignored, ...rest } = update;
  return rest;
}

/** The event name an unmapped update kind is carried under: `acp_<kind>`, or `acp_update` for an odd kind. */
export function carriedEventName(kind: string): { name: string; kindField: string | null } {
  return /^[a-z][a-z0-9_]{0,59}$/.test(kind) ? { name: `acp_${kind}`, kindField: null } : { name: 'acp_update', kindField: kind.slice(0, 64) };
}

/**
 * A file path as a browser may see it: relative to the session's `cwd` when it lies inside it (the
 * host's directory layout stays out of events), otherwise as the agent wrote it.
 */
export function shownPath(path: unknown, cwd: string | null): string {
  const text = String(path ?? '');
  if (cwd && text.startsWith(`${cwd.replace(/\/+$/, '')}/`)) return text.slice(cwd.replace(/\/+$/, '').length + 1);
  return text;
}

type ContentItem = { type?: unknown; content?: unknown; path?: unknown; oldText?: unknown; newText?: unknown };

/** The readable text of tool call content (its text blocks; diffs travel apart, see `toolDiffs`), for a result's output. */
export function toolContentText(content: unknown): string | null {
  if (!Array.isArray(content)) return null;
  const parts: string[] = [];
  for (const item of content as ContentItem[]) {
    if (item?.type !== 'content') continue;
    const text = textOf(item.content);
    if (text !== null) parts.push(text);
  }
  return parts.length ? parts.join('\n') : null;
}

/** The ACP `diff` items of tool call content, as `{ path, old_text, new_text }` (null old text: a new file). */
export function toolDiffs(content: unknown, cwd: string | null = null): { path: string; old_text: string | null; new_text: string }[] | undefined {
  if (!Array.isArray(content)) return undefined;
  const diffs = (content as ContentItem[])
    .filter((item) => item?.type === 'diff' && typeof item.newText === 'string')
    .map((item) => ({ path: shownPath(item.path, cwd), old_text: typeof item.oldText === 'string' ? item.oldText : null, new_text: item.newText as string }));
  return diffs.length ? diffs : undefined;
}

/** A non-negative integer, or undefined (usage fields must be integers). */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
}

/** Drops undefined fields (so events carry only what the agent sent). */
export function defined(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (value !== undefined) out[key] = value;
  return out;
}
