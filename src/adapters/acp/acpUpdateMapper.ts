import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { bounded, carriedEventName, carriedFields, defined, textOf, tokenCount, type AcpUpdate } from './acpContent.js';
import { AcpToolCalls } from './acpToolCalls.js';

/** `live`: a prompt turn; `replay`: `session/load` history (user messages come from the agent then). */
export type UpdateMode = 'live' | 'replay';

interface TextBlock {
  text: string;
  /** Bytes the text takes in an event's JSON (escapes included): the bound is on these, not on characters. */
  bytes: number;
  messageId: unknown;
  truncated: boolean;
}

/** Default bound on the JSON bytes a `text_done` / `thinking_done` may assemble; beyond it the text is cut and the event says `truncated`. */
export const MAX_ASSEMBLED_BYTES = 512 * 1024;

/**
 * Maps ACP `session/update`s, in arrival order, to worker-protocol events (docs/protocol.md):
 * `agent_message_chunk` to `text_delta`, `agent_thought_chunk` to `thinking_start` / `thinking_delta`,
 * tool calls via AcpToolCalls, `usage_update` to `usage`; a text or thinking block is closed with
 * `text_done` / `thinking_done` (its assembled text) when other content interrupts it, when its
 * `messageId` changes, or at `flush` (turn end). Live `user_message_chunk`s are the agent echoing the
 * input the backend already published as `user_message`, so they are skipped; replayed ones become
 * `user_message`. Any other kind, or non-text content, is carried as `acp_<kind>` with its fields.
 */
export class AcpUpdateMapper {
  private text: TextBlock | null = null;
  private thinking: TextBlock | null = null;
  private user: string | null = null;
  private readonly tools: AcpToolCalls;

  constructor(
    private readonly maxAssembledBytes = MAX_ASSEMBLED_BYTES,
    cwd: string | null = null,
  ) {
    this.tools = new AcpToolCalls(cwd);
  }

  map(update: AcpUpdate, mode: UpdateMode): ProtocolEvent[] {
    const out: ProtocolEvent[] = [];
    const kind = update.sessionUpdate;
    if (kind !== 'user_message_chunk') this.closeUser(out);
    switch (kind) {
      case 'agent_message_chunk': {
        const text = textOf(update.content);
        if (text === null) break;
        this.closeThinking(out);
        if (this.text && update.messageId != null && this.text.messageId != null && update.messageId !== this.text.messageId) this.closeText(out);
        this.text = append(this.text, text, update.messageId, this.maxAssembledBytes);
        if (text) out.push({ event: 'text_delta', data: { text } });
        return out;
      }
      case 'agent_thought_chunk': {
        const text = textOf(update.content);
        if (text === null) break;
        this.closeText(out);
        if (!this.thinking) out.push({ event: 'thinking_start' });
        this.thinking = append(this.thinking, text, update.messageId, this.maxAssembledBytes);
        if (text) out.push({ event: 'thinking_delta', data: { text } });
        return out;
      }
      case 'user_message_chunk': {
        if (mode === 'live') return out;
        const text = textOf(update.content);
        if (text === null) break;
        this.closeText(out);
        this.closeThinking(out);
        this.user = (this.user ?? '') + text;
        return out;
      }
      case 'tool_call':
      case 'tool_call_update':
        this.closeText(out);
        this.closeThinking(out);
        out.push(...(kind === 'tool_call' ? this.tools.announce(update) : this.tools.update(update)));
        return out;
      case 'usage_update':
        out.push({ event: 'usage', data: defined({ context_tokens: tokenCount(update.used), context_window: tokenCount(update.size), cost: costOf(update.cost) }) });
        return out;
    }
    const { name, kindField } = carriedEventName(kind);
    const data = bounded(carriedFields(update)) as Record<string, unknown>;
    out.push({ event: name, data: kindField === null ? data : { kind: kindField, ...data } });
    return out;
  }

  /** Closes open blocks (turn start and end, end of a replay) and forgets the turn's tool calls. */
  flush(): ProtocolEvent[] {
    const out: ProtocolEvent[] = [];
    this.closeUser(out);
    this.closeThinking(out);
    this.closeText(out);
    this.tools.clear();
    return out;
  }

  private closeText(out: ProtocolEvent[]): void {
    if (!this.text) return;
    out.push({ event: 'text_done', data: this.text.truncated ? { text: this.text.text, truncated: true } : { text: this.text.text } });
    this.text = null;
  }

  private closeThinking(out: ProtocolEvent[]): void {
    if (!this.thinking) return;
    out.push({ event: 'thinking_done', data: this.thinking.truncated ? { text: this.thinking.text, truncated: true } : { text: this.thinking.text } });
    this.thinking = null;
  }

  private closeUser(out: ProtocolEvent[]): void {
    if (this.user === null) return;
    out.push({ event: 'user_message', data: { segments: [{ kind: 'text', content: this.user.slice(0, 128 * 1024) || ' ' }] } });
    this.user = null;
  }
}

function append(block: TextBlock | null, text: string, messageId: unknown, maxBytes: number): TextBlock {
  const current = block ?? { text: '', bytes: 0, messageId: messageId ?? null, truncated: false };
  if (current.truncated) return current;
  const bytes = jsonBytes(text);
  if (current.bytes + bytes <= maxBytes) {
    current.text += text;
    current.bytes += bytes;
    return current;
  }
  current.text += fittingPrefix(text, maxBytes - current.bytes);
  current.truncated = true;
  return current;
}

/** Characters JSON escapes (or that need a closer look: surrogates may be lone, and then escaped). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The bytes `text` takes inside a JSON string; the common case (nothing to escape) without building the JSON. */
function jsonBytes(text: string): number {
  return NEEDS_ESCAPE.test(text) ? Buffer.byteLength(JSON.stringify(text)) - 2 : Buffer.byteLength(text);
}

/** The longest prefix of `text` (whole code points) whose JSON form takes at most `budget` bytes. */
function fittingPrefix(text: string, budget: number): string {
  let low = 0;
  let high = Math.min(text.length, Math.max(0, budget));
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (Buffer.byteLength(JSON.stringify(text.slice(0, mid))) - 2 <= budget) low = mid;
    else high = mid - 1;
  }
  // Never half a surrogate pair.
  const last = text.charCodeAt(low - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, low - 1) : text.slice(0, low);
}

/** ACP `usage_update.cost` (`{ amount, currency }`), or undefined when it is not that. */
function costOf(cost: unknown): { amount: number; currency: string } | undefined {
  const c = cost as { amount?: unknown; currency?: unknown } | null | undefined;
  if (typeof c?.amount !== 'number' || !Number.isFinite(c.amount) || typeof c.currency !== 'string' || !/^[A-Za-z]{3,8}$/.test(c.currency)) return undefined;
  return { amount: c.amount, currency: c.currency };
}
