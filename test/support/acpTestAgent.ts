/**
 * A deterministic ACP TEST agent (scripted, not a model), built with the SDK's `agent()` API and run
 * as a real subprocess (`node --import tsx test/support/acpTestAgent.ts [--mode m] ...`).
 *
 * Startup modes (`--mode`): `default`, `auth` (session/new needs authentication), `init-hang`
 * (never answers initialize), `init-fail` (refuses initialize), `exit` (exits at once, code 2),
 * `load` (declares loadSession and session close; session/load replays a short history), `freeze`
 * (blocks its event loop right after session/new, so it stops reading its stdin; with
 * `--frozen-file <file>` it writes that file first).
 * `early-updates` (before answering session/new, sends one update for another session and one for its
 * own). `--session-id <id>` fixes the session id; `--grandchild <file>` starts a `sleep` child and writes
 * its pid to `<file>` (orphan tests).
 *
 * Turn behaviour is chosen by keywords in the prompt: `#echo` (echoes the prompt as
 * user_message_chunk), `#think`, `#tool`, `#permission[:kind]`, `#usage`, `#unknown`, `#env` (lists
 * the NAMES of its environment variables), `#burst:N` (N chunks), `#rawburst:N` (the same N chunks
 * written as one block of lines, so the reader is the bottleneck), `#hold` (runs until cancelled),
 * `#ignore-cancel` (runs forever), `#crash` (exits with code 3 mid-run), `#garbage` (writes a
 * non-JSON line), `#huge:N` (writes an N-byte line), `#error` (fails the prompt), `#fs` (reads
 * input.txt, writes output.txt in its session cwd and tries to read outside it, through the
 * client), `#terminal` (runs a command through a client terminal), `#tree:<file>` (its "tool" runs
 * test/support/treeSpawner.mjs, which leaves a new-session and a double-forked process behind, as
 * agents' shell tools do, and lists their pids in `<file>`). Otherwise it answers with five text chunks.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable, Writable } from 'node:stream';
import { agent, methods, ndJsonStream, PROTOCOL_VERSION, RequestError, type AgentContext, type PromptRequest, type PromptResponse, type RequestPermissionResponse, type ToolKind } from '@agentclientprotocol/sdk';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
};
const mode = flag('mode') ?? 'default';
const fixedSessionId = flag('session-id');
const pidFile = flag('grandchild');
const frozenFile = flag('frozen-file');

if (mode === 'exit') {
  process.stderr.write('fatal: the scripted agent exits at start on purpose\n');
  process.exit(2);
}
if (pidFile) {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  writeFileSync(pidFile, String(child.pid));
}

const cancels = new Map<string, () => void>();
let sessions = 0;
let sessionCwd = '/';
const never = new Promise<never>(() => undefined);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (t: string) => ({ type: 'text' as const, text: t });

/** Sends one session/update (unvalidated, so unknown kinds can be sent too). */
function send(client: AgentContext, sessionId: string, update: Record<string, unknown>): Promise<void> {
  return client.notify<unknown>(methods.client.session.update as string, { sessionId, update });
}

async function toolFlow(client: AgentContext, sessionId: string): Promise<void> {
  const toolCallId = 'call-tool-1';
  await send(client, sessionId, { sessionUpdate: 'tool_call', toolCallId, title: 'Search notes', kind: 'search', status: 'pending', rawInput: { query: 'notes' } });
  await send(client, sessionId, { sessionUpdate: 'tool_call_update', toolCallId, status: 'in_progress' });
  await send(client, sessionId, { sessionUpdate: 'tool_call_update', toolCallId, content: [{ type: 'content', content: text('partial result') }] });
  await send(client, sessionId, { sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [{ type: 'content', content: text('3 notes found') }], rawOutput: { count: 3 } });
}

async function permissionFlow(client: AgentContext, sessionId: string, kind: string): Promise<string> {
  const toolCallId = 'call-perm-1';
  const toolCall = { toolCallId, title: 'Write notes.txt', kind: kind as ToolKind };
  await send(client, sessionId, { sessionUpdate: 'tool_call', ...toolCall, status: 'pending', rawInput: { path: 'notes.txt' } });
  const answer: RequestPermissionResponse = await client.request(methods.client.session.requestPermission, {
    sessionId,
    toolCall,
    options: [
      { optionId: 'allow', name: 'Allow once', kind: 'allow_once' },
      { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
    ],
  });
  const chosen = answer.outcome.outcome === 'selected' ? answer.outcome.optionId : 'cancelled';
  await send(client, sessionId, { sessionUpdate: 'tool_call_update', toolCallId, status: chosen === 'allow' ? 'completed' : 'failed' });
  return chosen;
}

/** Calls the client; the text says what came back (or the JSON-RPC error code). */
async function attempt(label: string, call: () => Promise<string>): Promise<string> {
  try {
    return `${label}: ${await call()}`;
  } catch (error) {
    return `${label}: error ${(error as { code?: number }).code}`;
  }
}

async function clientCalls(client: AgentContext, sessionId: string, input: string): Promise<string[]> {
  const lines: string[] = [];
  if (input.includes('#fs')) {
    lines.push(await attempt('read', async () => (await client.request(methods.client.fs.readTextFile, { sessionId, path: join(sessionCwd, 'input.txt') })).content));
    lines.push(await attempt('write', async () => (await client.request(methods.client.fs.writeTextFile, { sessionId, path: join(sessionCwd, 'output.txt'), content: 'written by the agent' }), 'ok')));
    lines.push(await attempt('outside', async () => (await client.request(methods.client.fs.readTextFile, { sessionId, path: '/etc/hostname' })).content));
  }
  if (input.includes('#terminal')) {
    lines.push(
      await attempt('terminal', async () => {
        const { terminalId } = await client.request(methods.client.terminal.create, { sessionId, command: 'sh', args: ['-c', 'echo out; exit 4'] });
        const exit = await client.request(methods.client.terminal.waitForExit, { sessionId, terminalId });
        const output = await client.request(methods.client.terminal.output, { sessionId, terminalId });
        await client.request(methods.client.terminal.release, { sessionId, terminalId });
        return `exit ${exit.exitCode} output ${JSON.stringify(output.output)}`;
      }),
    );
  }
  return lines;
}

async function prompt(params: PromptRequest, client: AgentContext): Promise<PromptResponse> {
  const sessionId = params.sessionId;
  const input = params.prompt.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join(' ');
  const say = (t: string) => send(client, sessionId, { sessionUpdate: 'agent_message_chunk', content: text(t) });
  const cancelled = new Promise<void>((resolve) => cancels.set(sessionId, resolve));
  const has = (keyword: string) => input.includes(keyword);
  try {
    if (has('#echo')) await send(client, sessionId, { sessionUpdate: 'user_message_chunk', content: text(input) });
    if (has('#think')) {
      await send(client, sessionId, { sessionUpdate: 'agent_thought_chunk', content: text('thinking ') });
      await send(client, sessionId, { sessionUpdate: 'agent_thought_chunk', content: text('hard') });
    }
    if (has('#tool')) await toolFlow(client, sessionId);
    const permission = /#permission(?::(\w+))?/.exec(input);
    if (permission) await say(`permission ${await permissionFlow(client, sessionId, permission[1] ?? 'edit')}`);
    if (has('#usage')) await send(client, sessionId, { sessionUpdate: 'usage_update', used: 1200, size: 200000, cost: { amount: 0.25, currency: 'USD' } });
    if (has('#badcost')) await send(client, sessionId, { sessionUpdate: 'usage_update', used: 1, size: 2, cost: { amount: 'lots', currency: { nested: '/home/secret' } } });
    if (has('#auth')) throw RequestError.authRequired();
    const cjk = /#cjk:(\d+)/.exec(input);
    if (cjk) for (let left = Number(cjk[1]); left > 0; left -= 10_000) await say('漢'.repeat(Math.min(left, 10_000)));
    const drip = /#drip:(\d+):(\d+)/.exec(input);
    if (drip) {
      for (let i = 0; i < Number(drip[1]); i++) {
        await delay(Number(drip[2]));
        await say(`d${i} `);
      }
      return { stopReason: 'end_turn' };
    }
    if (has('#silent')) {
      await cancelled;
      return { stopReason: 'cancelled' };
    }
    if (has('#unknown')) {
      await send(client, sessionId, { sessionUpdate: 'future_thing', detail: { level: 2 } });
      await send(client, sessionId, { sessionUpdate: 'plan', entries: [{ content: 'step one', priority: 'high', status: 'pending' }] });
    }
    for (const line of await clientCalls(client, sessionId, input)) await say(`${line}\n`);
    const tree = /#tree:(\S+)/.exec(input);
    if (tree) {
      const spawner = fileURLToPath(new URL('./treeSpawner.mjs', import.meta.url));
      await new Promise((resolve) => spawn(process.execPath, [spawner, tree[1]!], { stdio: 'ignore' }).once('exit', resolve));
      await say('tree started');
    }
    if (has('#env')) await say(`env: ${Object.keys(process.env).sort().join(',')}`);
    const burst = /#burst:(\d+)/.exec(input);
    if (burst) {
      const writes: Promise<void>[] = [];
      for (let i = 0; i < Number(burst[1]); i++) writes.push(say(`c${i} `));
      await Promise.all(writes);
    }
    const raw = /#rawburst:(\d+)/.exec(input);
    if (raw) {
      const line = (i: number) => JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: text(`c${i} `) } } });
      const lines = Array.from({ length: Number(raw[1]) }, (_, i) => line(i)).join('\n');
      await new Promise((resolve) => process.stdout.write(`${lines}\n`, resolve));
    }
    if (has('#crash')) {
      await say('about to crash');
      process.stderr.write('fatal: the scripted agent crashed on purpose\n');
      process.exit(3);
    }
    if (has('#garbage')) {
      await say('about to write garbage');
      process.stdout.write('this is not json\n');
      await never;
    }
    const huge = /#huge:(\d+)/.exec(input);
    if (huge) {
      await say('about to write a huge line');
      process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: text('x'.repeat(Number(huge[1]))) } } })}\n`);
      await never;
    }
    if (has('#error')) throw RequestError.internalError(undefined, 'the scripted model failed');
    if (has('#hold')) {
      await say('holding until cancelled');
      await cancelled;
      return { stopReason: 'cancelled' };
    }
    if (has('#ignore-cancel')) {
      await say('ignoring cancel');
      await never;
    }
    if (has('#late')) {
      // The answer and two more chunks in one write, as a racing agent's output arrives: raw lines.
      const update = (t: string) => JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: text(t) } } });
      const answer = JSON.stringify({ jsonrpc: '2.0', id: lastPromptId, result: { stopReason: 'end_turn' } });
      process.stdout.write(`${answer}\n${update('L1 ')}\n${update('L2 ')}\n`);
      await never;
    }
    if (!burst && !raw) for (const word of ['hello', ' from', ' the', ' test', ' agent']) await say(word);
    const stop = /#stop:(\S+)/.exec(input);
    if (stop) return { stopReason: stop[1] } as unknown as PromptResponse;
    const usage = has('#usage') ? { usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17, cachedReadTokens: 2 } } : {};
    return { stopReason: 'end_turn', ...usage };
  } finally {
    cancels.delete(sessionId);
  }
}

const app = agent({ name: 'acp-test-agent' })
  .onRequest(methods.agent.initialize, async () => {
    if (mode === 'init-hang') await never;
    if (mode === 'init-fail') throw RequestError.internalError(undefined, 'initialize refused on purpose');
    const load = mode === 'load';
    return {
      protocolVersion: PROTOCOL_VERSION,
      agentCapabilities: { loadSession: load, ...(load && { sessionCapabilities: { close: {} } }) },
      agentInfo: { name: 'acp-test-agent', version: '1.0.0' },
      authMethods: mode === 'auth' ? [{ id: 'login', name: 'Log in' }] : [],
    };
  })
  .onRequest(methods.agent.session.new, async ({ params, client }) => {
    if (mode === 'auth') throw RequestError.authRequired();
    sessions++;
    sessionCwd = params.cwd;
    const id = fixedSessionId ?? `test-session-${sessions}`;
    if (mode === 'early-updates') {
      const announce = (sessionId: string, title: string) => send(client, sessionId, { sessionUpdate: 'session_info_update', title });
      await announce('someone-elses-session', 'not mine');
      await announce(id, 'mine');
    }
    if (mode === 'freeze') {
      setTimeout(() => {
        if (frozenFile) writeFileSync(frozenFile, 'frozen');
        for (;;);
      }, 50);
    }
    return { sessionId: id };
  })
  .onRequest(methods.agent.session.load, async ({ params, client }) => {
    await send(client, params.sessionId, { sessionUpdate: 'user_message_chunk', content: text('earlier question') });
    await send(client, params.sessionId, { sessionUpdate: 'agent_message_chunk', content: text('earlier ') });
    await send(client, params.sessionId, { sessionUpdate: 'agent_message_chunk', content: text('answer') });
    return {};
  })
  .onRequest(methods.agent.session.close, async () => ({}))
  .onRequest(methods.agent.session.prompt, ({ params, client }) => prompt(params, client))
  .onNotification(methods.agent.session.cancel, ({ params }) => {
    cancels.get(params.sessionId)?.();
  });

/** The JSON-RPC id of the latest session/prompt (the SDK's handlers do not see it; `#late` answers by hand). */
let lastPromptId: unknown = null;
let inputLines = '';
const decoder = new TextDecoder();
const peek = new TransformStream<Uint8Array, Uint8Array>({
  transform(chunk, controller) {
    const lines = (inputLines + decoder.decode(chunk, { stream: true })).split('\n');
    inputLines = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const message = JSON.parse(line) as { id?: unknown; method?: unknown };
        if (message.method === 'session/prompt') lastPromptId = message.id;
      } catch {
        // not ours to judge
      }
    }
    controller.enqueue(chunk);
  },
});
await delay(0);
const input = (Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>).pipeThrough(peek);
const connection = app.connect(ndJsonStream(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, input));
await connection.closed;
process.exit(0);
