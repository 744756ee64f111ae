#!/usr/bin/env node
// SCRIPTED ACP DEMO AGENT: NOT A MODEL. It speaks the real Agent Client Protocol over stdio (built with
// the SDK's `agent()` API) and plays a fixed script, so the console can be tried with no account:
//   npm start -- --config examples/host-acp-demo.json
// Every reply starts with "[scripted demo agent]". Words in the prompt pick the script:
//   "think"  streams some thinking first,
//   "tool"   runs a pretend tool call (search) with progress and a result,
//   "write"  asks for permission to edit a file: with policy "ask" (profile `demo`) the console shows
//            the question and you decide; the pretend edit's diff shows when it is allowed,
//   "markdown" answers in markdown (headings, code, a link, a table; raw HTML stays text),
//   "long"   streams slowly for ~20 s (try Cancel),
//   anything else gets a short streamed reply.
import { Readable, Writable } from 'node:stream';
import { agent, methods, ndJsonStream, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';

const cancels = new Map();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (t) => ({ type: 'text', text: t });

function updater(client, sessionId) {
  return (update) => client.notify(methods.client.session.update, { sessionId, update });
}

async function stream(send, words, delayMs, cancelled) {
  for (const word of words) {
    if (cancelled.aborted) return;
    await send({ sessionUpdate: 'agent_message_chunk', content: text(word) });
    await sleep(delayMs);
  }
}

async function pretendTool(send) {
  const toolCallId = `demo-search-${Date.now()}`;
  await send({ sessionUpdate: 'tool_call', toolCallId, title: 'Search the demo notes', kind: 'search', status: 'pending', rawInput: { query: 'demo' } });
  await sleep(300);
  await send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'in_progress' });
  await sleep(600);
  await send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [{ type: 'content', content: text('2 scripted notes found') }] });
}

const NOTES_BEFORE = '# Notes\n\n- try the console\n';
const NOTES_AFTER = '# Notes\n\n- try the console\n- a line the demo agent wrote\n';

async function askToWrite(client, sessionId, send) {
  const toolCallId = `demo-write-${Date.now()}`;
  const toolCall = { toolCallId, title: 'Edit notes.md (pretend)', kind: 'edit' };
  await send({ sessionUpdate: 'tool_call', ...toolCall, status: 'pending', rawInput: { file: 'notes.md', add: 'a line the demo agent wrote' } });
  const { outcome } = await client.request(methods.client.session.requestPermission, {
    sessionId,
    toolCall,
    options: [
      { optionId: 'allow', name: 'Allow once', kind: 'allow_once' },
      { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
    ],
  });
  if (outcome.outcome === 'cancelled') {
    await send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed', content: [{ type: 'content', content: text('cancelled before an answer') }] });
    return 'The question was cancelled, so nothing was written. ';
  }
  const allowed = outcome.optionId === 'allow';
  const content = allowed
    ? [{ type: 'content', content: text('notes.md: 1 line added (pretend: nothing is written to disk)') }, { type: 'diff', path: 'notes.md', oldText: NOTES_BEFORE, newText: NOTES_AFTER }]
    : [{ type: 'content', content: text('not allowed: nothing was written') }];
  await send({ sessionUpdate: 'tool_call_update', toolCallId, status: allowed ? 'completed' : 'failed', content });
  return allowed ? 'The edit was **allowed**: `notes.md` got one more line (pretend). ' : 'The edit was **not allowed**, so nothing was written. ';
}

const MARKDOWN = [
  '## Markdown, rendered\n\n',
  'Text can be **bold**, _italic_ or `code`, with a [link](https://agentclientprotocol.com).\n\n',
  '1. a numbered list\n2. of two items\n\n',
  '```js\nconsole.log("a code block");\n```\n\n',
  '| kind | shown as |\n| --- | --- |\n| table | a table |\n\n',
  '> Raw HTML stays text: <img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n',
];

const app = agent({ name: 'acp-demo-agent' })
  .onRequest(methods.agent.initialize, () => ({
    protocolVersion: PROTOCOL_VERSION,
    agentCapabilities: { loadSession: false },
    agentInfo: { name: 'acp-demo-agent', title: 'Scripted ACP demo agent (not a model)', version: '1.0.0' },
    authMethods: [],
  }))
  .onRequest(methods.agent.session.new, () => ({ sessionId: `demo-${Date.now().toString(36)}` }))
  .onRequest(methods.agent.session.prompt, async ({ params, client }) => {
    const { sessionId } = params;
    const send = updater(client, sessionId);
    const cancelled = new AbortController();
    cancels.set(sessionId, cancelled);
    const prompt = params.prompt.map((block) => (block.type === 'text' ? block.text : '')).join(' ').toLowerCase();
    try {
      await send({ sessionUpdate: 'agent_message_chunk', content: text('[scripted demo agent] ') });
      if (prompt.includes('think')) {
        for (const t of ['This is ', 'scripted ', 'thinking, ', 'not reasoning.']) {
          await send({ sessionUpdate: 'agent_thought_chunk', content: text(t) });
          await sleep(120);
        }
      }
      if (prompt.includes('tool')) await pretendTool(send);
      let answer = '';
      if (prompt.includes('write')) answer += await askToWrite(client, sessionId, send);
      const long = prompt.includes('long');
      if (prompt.includes('markdown')) await stream(send, MARKDOWN, 80, cancelled.signal);
      answer += long
        ? 'Streaming slowly for about twenty seconds so you can try Cancel. '.repeat(6)
        : `You wrote ${prompt.length} characters. Try "think", "tool", "write", "markdown" or "long". `;
      if (!cancelled.signal.aborted) await stream(send, answer.split(/(?<= )/), long ? 600 : 60, cancelled.signal);
      await send({ sessionUpdate: 'usage_update', used: 100 + prompt.length, size: 100_000 });
      return { stopReason: cancelled.signal.aborted ? 'cancelled' : 'end_turn' };
    } finally {
      cancels.delete(sessionId);
    }
  })
  .onNotification(methods.agent.session.cancel, ({ params }) => cancels.get(params.sessionId)?.abort());

const connection = app.connect(ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)));
await connection.closed;
process.exit(0);
