import { afterEach, describe, expect, it } from 'vitest';
import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import type { AgentLogEntry } from '../../src/adapters/acp/acpOptions.js';
import { eventually } from '../../src/testing/index.js';
import { acpRuntime, isAlive, runTurn, testAgentOptions } from '../support/acpAgentFixture.js';

// ACP protocol edge cases seen with real agents, reproduced with the scripted test agent.
let current: ReturnType<typeof acpRuntime> | null = null;
const start = (...args: Parameters<typeof acpRuntime>) => (current = acpRuntime(...args));
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
});
const names = (events: { event: string }[]) => events.map((e) => e.event);

describe('AcpExecutionBackend: turn boundaries', () => {
  it('chunks that arrive after a prompt was answered are closed before the next turn, never merged into it', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    expect((await runTurn(runtime, stored, 'w', 'first #late')).result.outcome).toBe('accepted');
    const late = () => stored('w').then((all) => all.filter((o) => o.event.event === 'text_delta').length);
    let deltas = 0;
    for (const began = Date.now(); deltas < 2 && Date.now() - began < 5_000; ) {
      deltas = await late();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(deltas).toBe(2);
    const second = await runTurn(runtime, stored, 'w', 'second');
    expect(second.events.filter((e) => e.event === 'text_done').map((e) => e.data)).toEqual([{ text: 'L1 L2 ' }, { text: 'hello from the test agent' }]);
    const all = (await stored('w')).map((o) => o.event);
    const secondStart = all.findIndex((e) => e.event === 'invoke_start' && all.indexOf(e) > 0 && all.slice(0, all.indexOf(e)).some((p) => p.event === 'invoke_start'));
    expect(all.slice(secondStart - 3, secondStart)).toEqual([
      { event: 'text_delta', data: { text: 'L1 ' } },
      { event: 'text_delta', data: { text: 'L2 ' } },
      { event: 'text_done', data: { text: 'L1 L2 ' } },
    ]);
    const transcript = await runtime.transcript('w');
    if (!transcript.ok) throw new Error('no transcript');
    expect(transcript.entries.map((e) => (e.kind === 'assistant' ? `assistant:${e.text}` : e.kind === 'user' ? `user:${JSON.stringify(e.segments)}` : e.kind))).toEqual([
      'user:[{"kind":"text","content":"first #late"}]',
      'run_end',
      'assistant:L1 L2 ',
      'user:[{"kind":"text","content":"second"}]',
      'assistant:hello from the test agent',
      'run_end',
    ]);
  });

  it('stop reasons are mapped to the closed ACP set; anything else is other', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const runEnd = async (content: string) => (await runTurn(runtime, stored, 'w', content)).events.find((e) => e.event === 'run_end')?.data;
    expect(await runEnd('#stop:max_tokens')).toEqual({ result: 'limit_reached', stop_reason: 'max_tokens' });
    expect(await runEnd('#stop:refusal')).toEqual({ result: 'finished', stop_reason: 'refusal' });
    expect(await runEnd('#stop:/home/someone/.secret/session.jsonl')).toEqual({ result: 'finished', stop_reason: 'other' });
    expect(await runEnd('#stop:END_TURN')).toEqual({ result: 'finished', stop_reason: 'other' });
  });

  it('a reply larger than the assembly bound in bytes (400k CJK characters) still closes, cut and marked so', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const { events } = await runTurn(runtime, stored, 'w', '#cjk:400000', 30_000);
    const done = events.find((e) => e.event === 'text_done')?.data as { text: string; truncated?: boolean } | undefined;
    expect(done?.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(done))).toBeLessThanOrEqual(512 * 1024 + 64);
    expect(done?.text.length).toBeGreaterThan(100_000);
    expect(done?.text.endsWith('漢')).toBe(true);
    expect(events.filter((e) => e.event === 'alert')).toEqual([]);
    expect(names(events).slice(-4)).toEqual(['text_done', 'turn_end', 'run_end', 'status']);
  });
});

describe('AcpExecutionBackend: a prompt the agent cannot serve', () => {
  it('authentication required at prompt time: a typed error, the turn closed, the Worker unavailable with agent_auth_required, the agent stopped', async () => {
    const { runtime, stored, backend } = start();
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const [pid] = backend.agentPids();
    const { events } = await runTurn(runtime, stored, 'w', 'hi #auth');
    expect(events.find((e) => e.event === 'error')?.data).toMatchObject({ code: 'agent_auth_required' });
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable')).toBe(true);
    expect(runtime.get('w')?.diagnostic?.code).toBe('agent_auth_required');
    const all = names((await stored('w')).map((o) => o.event));
    expect(all.slice(-4)).toEqual(['error', 'turn_end', 'run_end', 'status']);
    expect(all.filter((n) => n === 'error')).toHaveLength(1);
    expect(await eventually(() => !isAlive(pid!))).toBe(true);
  });

  it('no update within turnInactivityMs: a typed error and a cancel end the turn; the Worker stays usable', async () => {
    const { runtime, stored } = start({ acp: testAgentOptions([], { timeouts: { turnInactivityMs: 300 } }) });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const { events } = await runTurn(runtime, stored, 'w', 'think forever #silent');
    expect(names(events)).toEqual(['invoke_start', 'user_message', 'turn_start', 'error', 'turn_end', 'run_end', 'status']);
    expect(events[3]?.data).toMatchObject({ code: 'agent_turn_inactive', message: expect.stringMatching(/no update from the agent for 300 ms/) });
    expect(events[5]?.data).toEqual({ result: 'finished', stop_reason: 'cancelled' });
    expect(runtime.get('w')?.state).toBe('idle');
    expect((await runTurn(runtime, stored, 'w', 'hello')).events.find((e) => e.event === 'text_done')?.data).toEqual({ text: 'hello from the test agent' });
  });
});

describe('AcpExecutionBackend: an agent that keeps talking is not inactive', () => {
  it('updates further apart in total than turnInactivityMs, but each within it, end the turn normally', async () => {
    const { runtime, stored } = start({ acp: testAgentOptions([], { timeouts: { turnInactivityMs: 1_000 } }) });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const { events } = await runTurn(runtime, stored, 'w', 'slowly #drip:8:150');
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
    expect(events.find((e) => e.event === 'run_end')?.data).toEqual({ result: 'finished', stop_reason: 'end_turn' });
    expect(events.find((e) => e.event === 'text_done')?.data).toEqual({ text: 'd0 d1 d2 d3 d4 d5 d6 d7 ' });
  });
});

describe('AcpExecutionBackend: what the agent sends is checked', () => {
  it('updates for another session, even before session/new answered, are dropped; usage cost is parsed', async () => {
    const { runtime, stored } = start({ acp: testAgentOptions(['--mode', 'early-updates']) });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const early = (await stored('w')).map((o) => o.event);
    expect(early).toEqual([{ event: 'acp_session_info_update', data: { title: 'mine' } }]);
    const usage = async (content: string) => (await runTurn(runtime, stored, 'w', content)).events.filter((e) => e.event === 'usage').map((e) => e.data);
    expect((await usage('#usage'))[0]).toEqual({ context_tokens: 1200, context_window: 200000, cost: { amount: 0.25, currency: 'USD' } });
    expect(await usage('#badcost')).toEqual([{ context_tokens: 1, context_window: 2 }]);
  });

  it('an agent that fails to start or exits has its stderr tail logged host-side (never published)', async () => {
    const logged: AgentLogEntry[] = [];
    const backend = new AcpExecutionBackend({ backendId: 'acp', log: (entry) => void logged.push(entry) });
    const { runtime, stored } = start({ exits: testAgentOptions(['--mode', 'exit']), acp: testAgentOptions() }, {}, backend);
    await runtime.create({ workerId: 'x', profile: 'exits' });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ workerId: 'x', code: 'agent_initialize_failed', exit: 'exit code 2' });
    expect(logged[0]?.stderrTail).toContain('exits at start on purpose');
    await runtime.create({ workerId: 'w', profile: 'acp' });
    await runTurn(runtime, stored, 'w', '#crash');
    expect(await eventually(() => logged.length === 2)).toBe(true);
    expect(logged[1]).toMatchObject({ workerId: 'w', code: 'agent_exited', exit: 'exit code 3' });
    expect(logged[1]?.stderrTail).toContain('crashed on purpose');
    expect(JSON.stringify((await stored('w')).map((o) => o.event))).not.toContain('on purpose');
  });
});

describe('AcpExecutionBackend: handles', () => {
  it('cancel or stop on a handle this backend never issued is rejected; stop of a stopped one is done', async () => {
    const backend = new AcpExecutionBackend({ backendId: 'acp', log: () => undefined });
    const context = { worker: { runtimeId: 'rt', workerId: 'h' }, runGeneration: 1, signal: new AbortController().signal, publish: async () => ({ ok: true as const, sequence: 1, cursor: '1' }), reportLost: () => undefined, reportRestored: () => undefined };
    const spawned = await backend.spawn({ profile: 'p', profileOptions: testAgentOptions(), displayName: null }, context, AbortSignal.timeout(10_000));
    if (spawned.status !== 'ready') throw new Error(spawned.status);
    const stranger = Object.freeze({ backend: 'acp' });
    expect(await backend.cancel(stranger, AbortSignal.timeout(1_000))).toMatchObject({ status: 'rejected', diagnostic: { code: 'agent_unavailable' } });
    expect(await backend.stop(stranger, AbortSignal.timeout(1_000))).toMatchObject({ status: 'rejected', diagnostic: { code: 'agent_unavailable' } });
    expect(await backend.stop(spawned.handle, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
    expect(await backend.stop(spawned.handle, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
    expect(backend.agentPids()).toEqual([]);
  });
});
