import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hasToolResult, latestPrompt, streamWriter, wholeReply, type Api } from './mockModelFormats.js';

/**
 * A scripted MOCK model server for tests: NOT a model. It listens on 127.0.0.1 (a random port) and
 * answers the provider APIs real agents can be pointed at, streaming (SSE) a scripted reply chosen by
 * keywords in the latest user prompt:
 * - OpenAI Responses (`POST …/responses`, Codex with `wire_api = "responses"`),
 * - OpenAI Chat Completions (`POST …/chat/completions`, OpenAI-compatible clients such as opencode),
 * - Anthropic Messages (`POST …/v1/messages`, Claude Code with `ANTHROPIC_BASE_URL`),
 * - Gemini (`…:streamGenerateContent` / `:generateContent`, Gemini CLI with `GOOGLE_GEMINI_BASE_URL`).
 * Default script: `#hold` streams one chunk, then holds the stream open until the client goes away
 * (a cancel mid-stream); anything else streams "Hello from the mock model" in five chunks. A script
 * may answer with a tool call instead (`call`); it is told whether the request carries a tool result.
 */
export interface MockReply {
  readonly chunks: readonly string[];
  /** Keep the stream open after the chunks until the client disconnects. */
  readonly hold?: boolean;
  /** Instead of text, one tool call (Responses API only): the agent runs it and asks again with its result. */
  readonly call?: { readonly name: string; readonly arguments: Record<string, unknown> };
}

export interface MockRequest {
  readonly api: Api;
  readonly path: string;
  readonly prompt: string;
  readonly stream: boolean;
}

export interface MockModelServer {
  /** `http://127.0.0.1:<port>`; agents take it with their own path prefix (`/v1`, ...). */
  readonly origin: string;
  readonly requests: MockRequest[];
  /** Streams the client closed before the reply was complete (a cancelled turn). */
  readonly aborted: () => number;
  close(): Promise<void>;
}

export const MOCK_MODEL = 'mock-model';

export function defaultScript(prompt: string, _context?: { readonly toolResult: boolean }): MockReply {
  if (prompt.includes('#hold')) return { chunks: ['holding until cancelled'], hold: true };
  return { chunks: ['Hello', ' from', ' the', ' mock', ' model'] };
}

function apiOf(method: string, path: string): Api | 'count' | 'models' | null {
  if (method === 'GET' && /\/models\/?$/.test(path)) return 'models';
  if (method !== 'POST') return null;
  if (path.endsWith('/count_tokens') || path.endsWith(':countTokens')) return 'count';
  if (path.endsWith('/responses')) return 'responses';
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/messages')) return 'anthropic';
  if (/:(stream)?[gG]enerateContent$/.test(path)) return 'gemini';
  return null;
}

export async function startMockModelServer(script: (prompt: string, context: { readonly toolResult: boolean }) => MockReply = defaultScript): Promise<MockModelServer> {
  const requests: MockRequest[] = [];
  const open = new Set<ServerResponse>();
  let aborted = 0;
  let serial = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const api = apiOf(req.method ?? 'GET', path);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (api === null) return json(404, { error: { message: 'the mock model server has no such route' } });
    if (api === 'models') return json(200, { object: 'list', data: [{ id: MOCK_MODEL, object: 'model', owned_by: 'mock' }], models: [{ name: `models/${MOCK_MODEL}` }] });
    if (api === 'count') return json(200, { input_tokens: 12, totalTokens: 12 });
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return json(400, { error: { message: 'not JSON' } });
    }
    const stream = api === 'gemini' ? path.includes(':stream') : body.stream === true;
    const prompt = latestPrompt(api, body);
    requests.push({ api, path, prompt, stream });
    const reply = script(prompt, { toolResult: hasToolResult(api, body) });
    const id = String(++serial);
    const model = typeof body.model === 'string' ? body.model : MOCK_MODEL;
    if (!stream) return json(200, wholeReply(api, model, id, reply.chunks.join('')));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    open.add(res);
    let complete = false;
    res.once('close', () => {
      open.delete(res);
      if (!complete) aborted++;
    });
    const writer = streamWriter(api, model, id);
    res.write(writer.start());
    if (reply.call && writer.call) {
      complete = true;
      return void res.end(writer.call(reply.call.name, reply.call.arguments));
    }
    for (const text of reply.chunks) res.write(writer.delta(text));
    if (reply.hold) return; // ends when the client goes away (or the server closes)
    complete = true;
    res.end(writer.end(reply.chunks.join('')));
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    aborted: () => aborted,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
