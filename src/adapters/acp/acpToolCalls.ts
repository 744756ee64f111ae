import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { bounded, defined, toolContentText, toolDiffs, type AcpUpdate } from './acpContent.js';

interface ToolState {
  readonly name: string;
  title: string | null;
  /** `tool_call_done` published (the call's input is known). */
  done: boolean;
  /** `tool_result` published (the call finished). */
  resulted: boolean;
  /** The last ACP diffs the call showed (an agent may send them before the update that completes it). */
  diffs?: ReturnType<typeof toolDiffs>;
}

const MAX_TRACKED = 10_000;
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value.slice(0, 1024) : null);

/**
 * ACP `tool_call` / `tool_call_update` to worker-protocol events: `tool_call_start` when a call is
 * announced, `tool_call_done` once its input is known (it has `rawInput` or left `pending`),
 * `tool_result` when it is `completed` or `failed` (its output: the content's text, its ACP `diff`s as
 * `diffs: [{ path, old_text, new_text }]`, the raw output). An update that moves none of these on (new
 * content, a new title) is carried as `acp_tool_call_update`, not dropped.
 */
export class AcpToolCalls {
  private readonly calls = new Map<string, ToolState>();

  /** `cwd`: the session's directory, which diff paths are shown relative to. */
  constructor(private readonly cwd: string | null = null) {}

  /** Events for a `tool_call` announcement. */
  announce(update: AcpUpdate): ProtocolEvent[] {
    const id = str(update.toolCallId) ?? 'unknown';
    const events: ProtocolEvent[] = [];
    const state = this.begin(id, update, events);
    this.advance(id, state, update, events);
    return events;
  }

  /** Events for a `tool_call_update`. */
  update(update: AcpUpdate): ProtocolEvent[] {
    const id = str(update.toolCallId) ?? 'unknown';
    const events: ProtocolEvent[] = [];
    const state = this.calls.get(id) ?? this.begin(id, update, events);
    const before = events.length;
    this.advance(id, state, update, events);
    if (events.length === before) {
      const data = defined({ id, status: str(update.status) ?? undefined, title: str(update.title) ?? undefined, content: bounded(update.content) });
      events.push({ event: 'acp_tool_call_update', data });
    }
    return events;
  }

  clear(): void {
    this.calls.clear();
  }

  private begin(id: string, update: AcpUpdate, events: ProtocolEvent[]): ToolState {
    if (this.calls.size >= MAX_TRACKED) this.calls.delete(this.calls.keys().next().value!);
    const state: ToolState = { name: str(update.name) ?? str(update.kind) ?? 'other', title: str(update.title), done: false, resulted: false };
    this.calls.set(id, state);
    events.push({ event: 'tool_call_start', data: defined({ id, name: state.name, title: state.title ?? undefined, kind: str(update.kind) ?? undefined }) });
    return state;
  }

  private advance(id: string, state: ToolState, update: AcpUpdate, events: ProtocolEvent[]): void {
    state.title = str(update.title) ?? state.title;
    state.diffs = toolDiffs(update.content, this.cwd) ?? state.diffs;
    const status = str(update.status);
    const finished = status === 'completed' || status === 'failed';
    if (!state.done && (update.rawInput !== undefined || status === 'in_progress' || finished)) {
      state.done = true;
      events.push({ event: 'tool_call_done', data: { id, name: state.name, arguments: bounded(update.rawInput) ?? null } });
    }
    if (!state.resulted && finished) {
      state.resulted = true;
      const output = defined({
        text: toolContentText(update.content) ?? undefined,
        diffs: state.diffs,
        raw_output: update.rawOutput,
      });
      events.push({
        event: 'tool_result',
        data: defined({ id, summary: state.title ?? status, output: Object.keys(output).length ? bounded(output) : undefined, is_error: status === 'failed' }),
      });
    }
  }
}
