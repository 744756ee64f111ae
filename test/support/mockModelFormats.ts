/**
 * Wire formats of the MOCK model server (mockModelServer.ts): how a scripted reply is streamed in each
 * provider API a real agent may be pointed at, and where the latest user prompt is in each request.
 * Only what agents read is produced; nothing here is a model.
 */
export type Api = 'responses' | 'chat' | 'anthropic' | 'gemini';

type Body = Record<string, unknown>;
const arr = (value: unknown): Body[] => (Array.isArray(value) ? (value as Body[]) : []);
const texts = (content: unknown): string =>
  typeof content === 'string' ? content : arr(content).map((part) => (typeof part.text === 'string' ? part.text : '')).join(' ');

/** Whether the request carries the result of a tool call (the model's call was run). */
export function hasToolResult(api: Api, body: Body): boolean {
  const json = JSON.stringify(body);
  switch (api) {
    case 'responses':
      return arr(body.input).some((item) => item.type === 'function_call_output');
    case 'chat':
      return arr(body.messages).some((m) => m.role === 'tool');
    case 'anthropic':
      return json.includes('"tool_result"');
    case 'gemini':
      return json.includes('"functionResponse"');
  }
}

/** The text of the latest user message in a request body of `api`. */
export function latestPrompt(api: Api, body: Body): string {
  const [list, role] =
    api === 'responses' ? [arr(body.input), 'user'] : api === 'gemini' ? [arr(body.contents), 'user'] : [arr(body.messages), 'user'];
  const last = [...list].reverse().find((item) => item.role === role);
  if (!last) return '';
  return api === 'gemini' ? texts(last.parts) : texts(last.content);
}

/** One streamed reply: `start()` once, `delta(text)` per chunk, `end(text)` with the whole text; or `start()`, `call(...)`. */
export interface StreamWriter {
  start(): string;
  delta(text: string): string;
  end(text: string): string;
  /** A complete tool call as the whole reply (Responses API only; scripted for Codex's tools). */
  call?(name: string, args: Record<string, unknown>): string;
}

const sse = (event: string | null, data: unknown) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
const usage = { input_tokens: 12, output_tokens: 5 };

export function streamWriter(api: Api, model: string, id: string): StreamWriter {
  switch (api) {
    case 'responses': {
      const item = { type: 'message', role: 'assistant', id: `msg_${id}` };
      const typed = (type: string, data: Body) => sse(type, { type, ...data });
      const completed = () =>
        typed('response.completed', { response: { id: `resp_${id}`, usage: { ...usage, total_tokens: 17, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } } } });
      return {
        start: () => typed('response.created', { response: { id: `resp_${id}`, model } }) + typed('response.output_item.added', { output_index: 0, item: { ...item, content: [] } }),
        delta: (text) => typed('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: text }),
        end: (text) =>
          typed('response.output_item.done', { output_index: 0, item: { ...item, content: [{ type: 'output_text', text }] } }) + completed(),
        call: (name, args) => {
          const call = { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name, arguments: JSON.stringify(args) };
          return typed('response.output_item.added', { output_index: 0, item: { ...call, arguments: '' } }) + typed('response.output_item.done', { output_index: 0, item: call }) + completed();
        },
      };
    }
    case 'chat': {
      const chunk = (delta: Body, finish: string | null, extra: Body = {}) =>
        sse(null, { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
      return {
        start: () => chunk({ role: 'assistant', content: '' }, null),
        delta: (text) => chunk({ content: text }, null),
        end: () => chunk({}, 'stop', { usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } }) + 'data: [DONE]\n\n',
      };
    }
    case 'anthropic':
      return {
        start: () =>
          sse('message_start', { type: 'message_start', message: { id: `msg_${id}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }) +
          sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        delta: (text) => sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
        end: () =>
          sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
          sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }) +
          sse('message_stop', { type: 'message_stop' }),
      };
    case 'gemini': {
      const part = (text: string, finish?: string) =>
        sse(null, {
          candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0, ...(finish && { finishReason: finish }) }],
          usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 },
          modelVersion: model,
        });
      return { start: () => '', delta: (text) => part(text), end: () => part('', 'STOP') };
    }
  }
}

/** The same reply as one JSON answer (a request that did not ask for a stream). */
export function wholeReply(api: Api, model: string, id: string, text: string): Body {
  switch (api) {
    case 'responses':
      return { id: `resp_${id}`, object: 'response', model, status: 'completed', output: [{ type: 'message', role: 'assistant', id: `msg_${id}`, content: [{ type: 'output_text', text }] }], usage };
    case 'chat':
      return { id: `chatcmpl-${id}`, object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } };
    case 'anthropic':
      return { id: `msg_${id}`, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage };
    case 'gemini':
      return { candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 }, modelVersion: model };
  }
}
