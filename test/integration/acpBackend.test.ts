import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { textInput } from '../../src/domain/workerInput.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';
import { eventually, sequences } from '../../src/testing/index.js';
import { acpRuntime, isAlive, runTurn, testAgentOptions } from '../support/acpAgentFixture.js';

// AcpExecutionBackend against the scripted ACP test agent, run as real subprocesses.
let current: ReturnType<typeof acpRuntime> | null = null;
const start = (...args: Parameters<typeof acpRuntime>) => (current = acpRuntime(...args));
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
});

const names = (events: { event: string }[]) => events.map((e) => e.event);

describe('AcpExecutionBackend: turns', () => {
  it('publishes user_message exactly once per input, even when the agent echoes it', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const turn = await runTurn(runtime, stored, 'w', 'say hello #echo');
    expect(turn.result).toMatchObject({ outcome: 'accepted', reason: 'committed', state: 'busy' });
    expect(names(turn.events).slice(0, 3)).toEqual(['invoke_start', 'user_message', 'turn_start']);
    expect(turn.events.filter((e) => e.event === 'user_message')).toEqual([
      { event: 'user_message', data: { segments: [{ kind: 'text', content: 'say hello #echo' }] } },
    ]);
    expect(names(turn.events).slice(-4)).toEqual(['text_done', 'turn_end', 'run_end', 'status']);
    expect(turn.events.find((e) => e.event === 'text_done')?.data).toEqual({ text: 'hello from the test agent' });
    expect(turn.events.find((e) => e.event === 'run_end')?.data).toEqual({ result: 'finished', stop_reason: 'end_turn' });
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    const transcript = await runtime.transcript('w');
    expect(transcript.ok && transcript.entries.filter((e) => e.kind === 'user')).toHaveLength(1);
  });

  it('keeps arrival order under a burst of 2,000 chunks, every one delivered once', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const turn = await runTurn(runtime, stored, 'w', 'go #burst:2000', 20_000);
    const deltas = turn.events.filter((e) => e.event === 'text_delta').map((e) => e.data?.text);
    expect(deltas).toEqual(Array.from({ length: 2000 }, (_, i) => `c${i} `));
    expect(turn.events.find((e) => e.event === 'text_done')?.data?.text).toBe(deltas.join(''));
    const seq = sequences(turn.frames);
    expect(seq).toEqual(Array.from({ length: seq.length }, (_, i) => seq[0]! + i));
    expect(names(turn.events).indexOf('text_done')).toBeGreaterThan(names(turn.events).lastIndexOf('text_delta'));
  });

  it('maps thinking, tool calls, usage, permissions and unknown update kinds in arrival order', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const { events } = await runTurn(runtime, stored, 'w', 'all #think #tool #permission #usage #unknown');
    expect(names(events)).toEqual([
      'invoke_start', 'user_message', 'turn_start',
      'thinking_start', 'thinking_delta', 'thinking_delta', 'thinking_done',
      'tool_call_start', 'tool_call_done', 'acp_tool_call_update', 'acp_tool_call_update', 'tool_result',
      'tool_call_start', 'tool_call_done', 'permission_request', 'permission_resolved', 'tool_result',
      'text_delta', 'usage', 'acp_future_thing', 'acp_plan',
      'text_delta', 'text_delta', 'text_delta', 'text_delta', 'text_delta',
      'text_done', 'usage', 'turn_end', 'run_end', 'status',
    ]);
    const byName = (name: string) => events.filter((e) => e.event === name).map((e) => e.data);
    expect(byName('tool_result')[0]).toEqual({ id: 'call-tool-1', summary: 'Search notes', output: { text: '3 notes found', raw_output: { count: 3 } }, is_error: false });
    expect(byName('permission_resolved')[0]).toMatchObject({ id: 'call-perm-1', title: 'Write notes.txt', outcome: 'selected', option_kind: 'reject_once', rule: 'reject' });
    expect(byName('tool_result')[1]).toMatchObject({ id: 'call-perm-1', is_error: true });
    expect(byName('usage')).toEqual([
      { context_tokens: 1200, context_window: 200000, cost: { amount: 0.25, currency: 'USD' } },
      { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 2, total_tokens: 17 },
    ]);
    expect(byName('acp_future_thing')).toEqual([{ detail: { level: 2 } }]);
  });

  it('answers permissions by the profile policy: allow-listed tool kinds, allow_once', async () => {
    const { runtime, stored } = start({
      kinds: testAgentOptions([], { permissions: { allowToolKinds: ['read'] } }),
      allow: testAgentOptions([], { permissions: { policy: 'allow_once' } }),
    });
    await runtime.create({ workerId: 'k', profile: 'kinds' });
    await runtime.create({ workerId: 'a', profile: 'allow' });
    const read = await runTurn(runtime, stored, 'k', '#permission:read');
    const edit = await runTurn(runtime, stored, 'k', '#permission:edit');
    const allowed = await runTurn(runtime, stored, 'a', '#permission');
    const resolved = (turn: typeof read) => turn.events.find((e) => e.event === 'permission_resolved')?.data;
    expect(resolved(read)).toMatchObject({ outcome: 'selected', option_id: 'allow', rule: 'allowed_kind' });
    expect(resolved(edit)).toMatchObject({ outcome: 'selected', option_id: 'reject', rule: 'reject' });
    expect(resolved(allowed)).toMatchObject({ outcome: 'selected', option_id: 'allow', rule: 'allow_once' });
    expect(read.events.find((e) => e.event === 'text_delta')?.data?.text).toBe('permission allow');
  });

  it('input while a turn runs is busy; cancel ends the turn with cancelled and the agent lives on', async () => {
    const { runtime, stored, backend } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    expect(await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: '#hold' }] })).toMatchObject({ outcome: 'accepted' });
    expect(await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: 'more' }] })).toMatchObject({ outcome: 'busy' });
    expect(await runtime.cancel('w')).toMatchObject({ outcome: 'accepted', reason: 'cancelled' });
    expect(runtime.get('w')?.state).toBe('idle');
    const events = (await stored('w')).map((o) => o.event);
    expect(events.find((e) => e.event === 'run_end')?.data).toEqual({ result: 'finished', stop_reason: 'cancelled' });
    expect(isAlive(backend.agentPids()[0]!)).toBe(true);
    expect((await runTurn(runtime, stored, 'w', 'again')).result.outcome).toBe('accepted');
  });

  it('refuses input ACP cannot carry, publishing nothing; a failed prompt is a provider_error and the Worker stays', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const before = (await stored('w')).length;
    const refused = await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'flow', selector: 'x' }] });
    expect(refused).toMatchObject({ outcome: 'rejected', reason: 'backend_rejected', diagnostic: { code: 'acp_input_unsupported' } });
    expect((await stored('w')).length).toBe(before);
    const failed = await runTurn(runtime, stored, 'w', '#error');
    expect(failed.events.find((e) => e.event === 'error')?.data).toMatchObject({ code: 'provider_error' });
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect((await runTurn(runtime, stored, 'w', 'hi')).events.find((e) => e.event === 'run_end')?.data).toEqual({ result: 'finished', stop_reason: 'end_turn' });
  });
});

/** A hand-made execution context that records what a backend publishes. */
function recordingContext(): { context: ExecutionContext; published: { event: ProtocolEvent; history: boolean }[] } {
  const published: { event: ProtocolEvent; history: boolean }[] = [];
  const context: ExecutionContext = {
    worker: { runtimeId: 'rt', workerId: 'restored' },
    runGeneration: 2,
    signal: new AbortController().signal,
    publish: async (event, options) => {
      published.push({ event: event as ProtocolEvent, history: options?.history === true });
      return { ok: true, sequence: published.length, cursor: `c${published.length}` };
    },
    reportLost: () => undefined,
    reportRestored: () => undefined,
  };
  return { context, published };
}

describe('AcpExecutionBackend: sessions', () => {
  it('restore: session/load when the agent can, its replay published as history; unsupported otherwise', async () => {
    const backend = new AcpExecutionBackend({ backendId: 'acp' });
    const signal = AbortSignal.timeout(10_000);
    const request = (options: unknown, restoreToken: string | null) => ({ profile: 'acp', profileOptions: options, displayName: null, restoreToken });
    const { context, published } = recordingContext();
    const restored = await backend.restore(request(testAgentOptions(['--mode', 'load']), 'acp:earlier-session'), context, signal);
    expect(restored).toMatchObject({ status: 'ready', state: 'idle', restoreToken: 'acp:earlier-session' });
    expect(published).toEqual([
      { event: { event: 'user_message', data: { segments: [{ kind: 'text', content: 'earlier question' }] } }, history: true },
      { event: { event: 'text_delta', data: { text: 'earlier ' } }, history: true },
      { event: { event: 'text_delta', data: { text: 'answer' } }, history: true },
      { event: { event: 'text_done', data: { text: 'earlier answer' } }, history: true },
    ]);
    const handle = (restored as { handle: unknown }).handle;
    expect(await backend.dispatchInput(handle, textInput('and now?'), 'sub-1', signal)).toEqual({ status: 'accepted', submissionId: 'sub-1', state: 'busy' });
    expect(await eventually(() => published.some((p) => p.event.event === 'run_end'))).toBe(true);
    expect(published.slice(4).every((p) => !p.history)).toBe(true);
    const [pid] = backend.agentPids();
    expect(await backend.stop(handle, signal)).toEqual({ status: 'done' });
    expect(isAlive(pid!)).toBe(false);

    expect(await backend.restore(request(testAgentOptions(), 'acp:earlier-session'), recordingContext().context, signal)).toEqual({ status: 'unsupported' });
    expect(await backend.restore(request(testAgentOptions(), null), recordingContext().context, signal)).toEqual({ status: 'unsupported' });
    expect(backend.agentPids()).toEqual([]);
  });

  it('passes the agent PATH and the allow-listed variables only', async () => {
    process.env.ACP_TEST_ALLOWED = 'allowed-value';
    process.env.ACP_TEST_HIDDEN = 'hidden-value';
    const { runtime, stored } = start({ acp: testAgentOptions([], { envAllowList: ['ACP_TEST_ALLOWED', 'ACP_TEST_UNSET'] }) });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const { events } = await runTurn(runtime, stored, 'w', '#env');
    const names = String(events.find((e) => e.event === 'text_delta')?.data?.text).replace('env: ', '').split(',');
    expect(names).toContain('PATH');
    expect(names).toContain('ACP_TEST_ALLOWED');
    expect(names).not.toContain('ACP_TEST_HIDDEN');
    expect(names).not.toContain('ACP_TEST_UNSET');
    if (process.env.HOME) expect(names).not.toContain('HOME');
  });
});

describe('AcpExecutionBackend: client capabilities', () => {
  it('fs and terminal only when offered; fs confined to the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-acp-fs-'));
    writeFileSync(join(dir, 'input.txt'), 'hello file');
    try {
      const { runtime, stored } = start({
        offered: testAgentOptions([], { cwd: dir, clientCapabilities: { fs: true, terminal: true } }),
        plain: testAgentOptions([], { cwd: dir }),
      });
      await runtime.create({ workerId: 'offered', profile: 'offered' });
      await runtime.create({ workerId: 'plain', profile: 'plain' });
      const text = async (id: string) =>
        (await runTurn(runtime, stored, id, '#fs #terminal')).events.filter((e) => e.event === 'text_delta').map((e) => e.data?.text).join('');
      const offered = await text('offered');
      expect(offered).toContain('read: hello file\n');
      expect(offered).toContain('write: ok\n');
      expect(offered).toContain('outside: error -32602\n');
      expect(offered).toContain('terminal: exit 4 output "out\\n"\n');
      expect(readFileSync(join(dir, 'output.txt'), 'utf8')).toBe('written by the agent');
      const plain = await text('plain');
      expect(plain).toContain('read: error -32601\n');
      expect(plain).toContain('terminal: error -32601\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
