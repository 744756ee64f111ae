import type { Observation } from './observation.js';

/** One entry of a transcript, derived from observations (never stored separately). */
export type TranscriptEntry =
  | { kind: 'user'; cursor: string; segments: unknown[] }
  | { kind: 'assistant'; cursor: string; text: string; complete: boolean }
  | { kind: 'thinking'; cursor: string; text: string; complete: boolean }
  | { kind: 'tool_call'; cursor: string; id: string; name: string; arguments: unknown; result?: ToolResult }
  | { kind: 'error'; cursor: string; code: string; message: string }
  | { kind: 'system'; cursor: string; item: unknown }
  | { kind: 'run_end'; cursor: string; result: string };

interface ToolResult {
  summary: unknown;
  output?: unknown;
  isError: boolean;
}

/** Folds observations (in sequence order) into transcript entries. Pure. */
export function deriveTranscript(observations: Iterable<Observation>): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  let text: Extract<TranscriptEntry, { kind: 'assistant' }> | null = null;
  let thinking: Extract<TranscriptEntry, { kind: 'thinking' }> | null = null;
  const tools = new Map<string, Extract<TranscriptEntry, { kind: 'tool_call' }>>();
  for (const { event, cursor } of observations) {
    const d = (event.data ?? {}) as Record<string, unknown>;
    switch (event.event) {
      case 'user_message':
        // A new input: whatever was still open belongs before it (an agent's late chunks), never after.
        text = null;
        thinking = null;
        entries.push({ kind: 'user', cursor, segments: (d.segments as unknown[]) ?? [] });
        break;
      case 'text_delta':
        if (!text) entries.push((text = { kind: 'assistant', cursor, text: '', complete: false }));
        text.text += String(d.text ?? '');
        break;
      case 'text_done':
        if (!text) entries.push((text = { kind: 'assistant', cursor, text: '', complete: false }));
        text.text = String(d.text ?? text.text);
        text.complete = true;
        text = null;
        break;
      case 'thinking_delta':
        if (!thinking) entries.push((thinking = { kind: 'thinking', cursor, text: '', complete: false }));
        thinking.text += String(d.text ?? '');
        break;
      case 'thinking_done':
        if (!thinking) entries.push((thinking = { kind: 'thinking', cursor, text: '', complete: false }));
        thinking.text = String(d.text ?? thinking.text);
        thinking.complete = true;
        thinking = null;
        break;
      case 'tool_call_start':
      case 'tool_call_done': {
        const id = String(d.id ?? '');
        let call = tools.get(id);
        if (!call) {
          call = { kind: 'tool_call', cursor, id, name: String(d.name ?? ''), arguments: null };
          tools.set(id, call);
          entries.push(call);
        }
        if (event.event === 'tool_call_done') call.arguments = d.arguments ?? null;
        break;
      }
      case 'tool_result': {
        const call = tools.get(String(d.id ?? ''));
        const result: ToolResult = { summary: d.summary, isError: d.is_error === true };
        if (d.output !== undefined) result.output = d.output;
        if (call) call.result = result;
        break;
      }
      case 'error':
        entries.push({ kind: 'error', cursor, code: String(d.code ?? ''), message: String(d.message ?? '') });
        break;
      case 'system_item':
        entries.push({ kind: 'system', cursor, item: d.item });
        break;
      case 'run_end':
        text = null;
        thinking = null;
        entries.push({ kind: 'run_end', cursor, result: String(d.result ?? '') });
        break;
      case 'segment_rotated':
        entries.length = 0;
        tools.clear();
        text = null;
        thinking = null;
        break;
    }
  }
  return entries;
}
