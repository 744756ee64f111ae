import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type { FakeRunStep } from './fakeAsks.js';

const textOf = (input: WorkerInput): string =>
  input.kind === 'user' ? input.segments.map((s) => (s.kind === 'text' ? String(s.content) : '')).join(' ') : input.message;

/**
 * The fake backend's default run for an input, in worker-protocol order. Its text is scripted and says
 * so: it is the FAKE backend's output (a test double), not the Runtime's. An input containing `#ask`
 * gets a run that asks a person before a pretend edit (`fakeAskRun`).
 */
export function fakeRunEvents(input: WorkerInput): FakeRunStep[] {
  if (textOf(input).includes('#ask')) return fakeAskRun(input);
  const segments = input.kind === 'user' ? input.segments : [{ kind: 'text', content: input.message }];
  const reply = `[fake backend] scripted reply to ${segments.length} segment(s)`;
  const words = reply.split(/(?<= )/);
  return [
    { event: 'invoke_start', data: { kind: input.kind === 'user' ? 'user_send' : 'notify' } },
    { event: 'user_message', data: { segments } },
    { event: 'turn_start', data: { turn: 1 } },
    ...words.map((text) => ({ event: 'text_delta', data: { text } })),
    { event: 'text_done', data: { text: reply } },
    { event: 'usage', data: { input_tokens: 1, output_tokens: words.length } },
    { event: 'turn_end', data: { turn: 1, result: 'finished' } },
    { event: 'run_end', data: { result: 'finished' } },
    { event: 'status', data: { status: 'idle' } },
  ];
}

const END: ProtocolEvent[] = [
  { event: 'turn_end', data: { turn: 1, result: 'finished' } },
  { event: 'run_end', data: { result: 'finished' } },
  { event: 'status', data: { status: 'idle' } },
];

/**
 * A FAKE run that asks permission for a pretend edit of `notes.md` (options `allow` / `reject`), then
 * goes on by the answer: the edit's result (with an ACP-style diff) or its refusal, a line of text,
 * `run_end`. Its question waits `timeoutMs` when the input says `#ask:<ms>`.
 */
export function fakeAskRun(input: WorkerInput): FakeRunStep[] {
  const segments = input.kind === 'user' ? input.segments : [{ kind: 'text', content: input.message }];
  const timeout = /#ask:(\d+)/.exec(textOf(input))?.[1];
  const id = 'fake-edit-1';
  const title = 'Edit notes.md (fake)';
  const say = (text: string): ProtocolEvent[] => [
    { event: 'text_delta', data: { text } },
    { event: 'text_done', data: { text } },
  ];
  return [
    { event: 'invoke_start', data: { kind: input.kind === 'user' ? 'user_send' : 'notify' } },
    { event: 'user_message', data: { segments } },
    { event: 'turn_start', data: { turn: 1 } },
    ...say('[fake backend] I would like to edit notes.md.'),
    { event: 'tool_call_start', data: { id, name: 'edit', title, kind: 'edit' } },
    { event: 'tool_call_done', data: { id, name: 'edit', arguments: { path: 'notes.md' } } },
    {
      ask: {
        title,
        toolKind: 'edit',
        toolCallId: id,
        options: [
          { id: 'allow', name: 'Allow once', kind: 'allow_once' },
          { id: 'reject', name: 'Reject', kind: 'reject_once' },
        ],
        ...(timeout !== undefined && { timeoutMs: Number(timeout) }),
      },
      allowed: [
        {
          event: 'tool_result',
          data: {
            id,
            summary: 'edited notes.md',
            output: { text: '+ a scripted line', diffs: [{ path: 'notes.md', old_text: '', new_text: 'a scripted line\n' }] },
            is_error: false,
          },
        },
        ...say('[fake backend] The edit was allowed and made.'),
        ...END,
      ],
      denied: [
        { event: 'tool_result', data: { id, summary: 'not allowed', is_error: true } },
        ...say('[fake backend] The edit was not allowed, so nothing changed.'),
        ...END,
      ],
    },
  ];
}
