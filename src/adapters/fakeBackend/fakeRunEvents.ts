import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { WorkerInput } from '../../domain/workerInput.js';

/**
 * The fake backend's default run for an input, in worker-protocol order. Its text is scripted and says
 * so: it is the FAKE backend's output (a test double), not the Runtime's.
 */
export function fakeRunEvents(input: WorkerInput): ProtocolEvent[] {
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
