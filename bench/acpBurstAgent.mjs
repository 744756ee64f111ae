#!/usr/bin/env node
// The ACP agent of bench/acpRelay.ts, plain JavaScript (no tsx): a scripted agent built with the SDK's
// `agent()` API, as the test agent is. A prompt containing `#rawburst:N` is answered by N
// `agent_message_chunk` notifications ("c0 ", "c1 ", ...) written as one block of lines, built once per N
// and reused, so the reading side, not the agent, is the bottleneck; then the prompt's response.
// Session ids are `bench-session-1`, `bench-session-2`, ... in order.
import { Readable, Writable } from 'node:stream';
import { agent, methods, ndJsonStream, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';

let sessions = 0;
const blocks = new Map();

function block(sessionId, n) {
  const key = `${sessionId} ${n}`;
  let lines = blocks.get(key);
  if (!lines) {
    const line = (i) => JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `c${i} ` } } } });
    lines = `${Array.from({ length: n }, (_, i) => line(i)).join('\n')}\n`;
    blocks.set(key, lines);
  }
  return lines;
}

const app = agent({ name: 'acp-bench-agent' })
  .onRequest(methods.agent.initialize, () => ({ protocolVersion: PROTOCOL_VERSION, agentCapabilities: { loadSession: false }, authMethods: [] }))
  .onRequest(methods.agent.session.new, () => ({ sessionId: `bench-session-${++sessions}` }))
  .onRequest(methods.agent.session.prompt, async ({ params }) => {
    const input = params.prompt.map((b) => (b.type === 'text' ? b.text : '')).join(' ');
    const raw = /#rawburst:(\d+)/.exec(input);
    if (raw) await new Promise((resolve) => process.stdout.write(block(params.sessionId, Number(raw[1])), resolve));
    return { stopReason: 'end_turn' };
  })
  .onNotification(methods.agent.session.cancel, () => undefined);

const connection = app.connect(ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)));
await connection.closed;
process.exit(0);
