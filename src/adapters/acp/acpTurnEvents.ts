import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { Segment } from '../../domain/workerInput.js';
import { sanitizeText } from '../../domain/sanitizeText.js';
import { defined, tokenCount } from './acpContent.js';

/**
 * ACP `stopReason` (a closed set) to the worker protocol's `run_end.result`. The reason travels as
 * `stop_reason`; anything outside the set is `other` (an agent's own string never reaches an event).
 */
const RUN_RESULT: Readonly<Record<string, string>> = {
  end_turn: 'finished',
  refusal: 'finished',
  cancelled: 'finished',
  max_tokens: 'limit_reached',
  max_turn_requests: 'limit_reached',
};

/** Events that open a committed turn: `invoke_start`, `user_message` (exactly once), `turn_start`. */
export function turnStartEvents(turn: number, kind: 'user_send' | 'notify', segments: readonly Segment[]): ProtocolEvent[] {
  return [
    { event: 'invoke_start', data: { kind } },
    { event: 'user_message', data: { segments } },
    { event: 'turn_start', data: { turn } },
  ];
}

/** Events that close a turn the agent answered: `usage` (if reported), `turn_end`, `run_end`, `status idle`. */
export function turnEndEvents(turn: number, stopReason: unknown, usage: unknown): ProtocolEvent[] {
  const reason = typeof stopReason === 'string' && Object.hasOwn(RUN_RESULT, stopReason) ? stopReason : 'other';
  const events: ProtocolEvent[] = [];
  const tokens = promptUsage(usage);
  if (tokens) events.push({ event: 'usage', data: tokens });
  events.push(
    { event: 'turn_end', data: { turn, result: 'finished' } },
    { event: 'run_end', data: { result: RUN_RESULT[reason] ?? 'finished', stop_reason: reason } },
    { event: 'status', data: { status: 'idle' } },
  );
  return events;
}

/** Events that close a turn the agent answered with a JSON-RPC error instead of a stop reason (`code`: the error event's). */
export function turnFailedEvents(turn: number, message: string, code = 'provider_error'): ProtocolEvent[] {
  return [
    { event: 'error', data: { code, message: sanitizeText(message, 512) } },
    { event: 'turn_end', data: { turn, result: 'finished' } },
    { event: 'run_end', data: { result: 'finished', stop_reason: 'error' } },
    { event: 'status', data: { status: 'idle' } },
  ];
}

/** A `session/prompt` response's `usage` (ACP unstable) as `usage` event data, or null. */
function promptUsage(usage: unknown): Record<string, unknown> | null {
  if (!usage || typeof usage !== 'object') return null;
  const u = usage as Record<string, unknown>;
  const data = defined({
    input_tokens: tokenCount(u.inputTokens),
    output_tokens: tokenCount(u.outputTokens),
    cache_read_input_tokens: tokenCount(u.cachedReadTokens),
    cache_write_input_tokens: tokenCount(u.cachedWriteTokens),
    thought_tokens: tokenCount(u.thoughtTokens),
    total_tokens: tokenCount(u.totalTokens),
  });
  return Object.keys(data).length ? data : null;
}
