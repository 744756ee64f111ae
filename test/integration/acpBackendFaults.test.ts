import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';
import { acpRuntime, isAlive, runTurn, testAgentOptions } from '../support/acpAgentFixture.js';

// Faults of real agent subprocesses: crashes, garbage, oversized lines, ignored cancel, a wedged
// agent, failed starts; and that no agent process (or its children) outlives any of it.
let current: ReturnType<typeof acpRuntime> | null = null;
const start = (...args: Parameters<typeof acpRuntime>) => (current = acpRuntime(...args));
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
});
const dir = mkdtempSync(join(tmpdir(), 'wr-acp-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** Agent args that start a `sleep` grandchild and a function reading its pid (null: the agent never got that far). */
const withGrandchild = () => {
  const file = join(dir, `pid-${files++}`);
  return { args: ['--grandchild', file], pid: () => (existsSync(file) ? Number(readFileSync(file, 'utf8')) : null) };
};
const gone = (pid: number | null) => eventually(() => pid === null || !isAlive(pid), 5_000);

describe('AcpExecutionBackend: faults', () => {
  for (const [keyword, code, message] of [
    ['#crash', 'agent_exited', /exited unexpectedly \(exit code 3\)/],
    ['#garbage', 'agent_protocol_error', /not JSON/],
    ['#huge:300000', 'agent_message_too_large', /larger than 65536 bytes/],
  ] as const) {
    it(`${keyword} mid-run: events before it are kept, an internal error, the Worker unavailable, no process left, others untouched`, async () => {
      const child = withGrandchild();
      const { runtime, stored, backend } = start({ acp: testAgentOptions(child.args, { limits: { maxMessageBytes: 65536 } }), plain: testAgentOptions() });
      await runtime.create({ workerId: 'w', profile: 'acp' });
      await runtime.create({ workerId: 'other', profile: 'plain' });
      const [pid] = backend.agentPids();
      const turn = await runTurn(runtime, stored, 'w', `now ${keyword}`);
      const names = turn.events.map((e) => e.event);
      expect(names.slice(0, 4)).toEqual(['invoke_start', 'user_message', 'turn_start', 'text_delta']);
      expect(names.at(-1)).toBe('error');
      expect(turn.events.at(-1)?.data).toMatchObject({ code: 'internal', message });
      expect(await eventually(() => runtime.get('w')?.state === 'unavailable')).toBe(true);
      expect(runtime.get('w')?.diagnostic?.code).toBe(code);
      expect(await gone(pid!)).toBe(true);
      expect(await gone(child.pid())).toBe(true);
      expect(runtime.get('other')?.state).toBe('idle');
      expect((await runTurn(runtime, stored, 'other', 'still there?')).result.outcome).toBe('accepted');
      expect(await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: 'x' }] })).toMatchObject({ reason: 'execution_unavailable' });
    });
  }

  it('cancel watchdog: an agent that ignores cancel is stopped before the Runtime deadline and the Worker is unavailable', async () => {
    const { runtime, stored, backend } = start({ acp: testAgentOptions([], { timeouts: { cancelWatchdogMs: 500 } }) }, { deadlines: { cancelMs: 3_000 } });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const [pid] = backend.agentPids();
    await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: '#ignore-cancel' }] });
    const started = Date.now();
    const result = await runtime.cancel('w');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'backend_rejected', diagnostic: { code: 'agent_cancel_timeout' } });
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable')).toBe(true);
    expect((await stored('w')).at(-1)?.event).toMatchObject({ event: 'error', data: { code: 'internal' } });
    expect(await gone(pid!)).toBe(true);
  });

  // A prompt larger than the kernel buffers between the processes can only be committed by a reader.
  const bufferBytes = Number(existsSync('/proc/sys/net/core/wmem_default') ? readFileSync('/proc/sys/net/core/wmem_default', 'utf8') : NaN);
  it.skipIf(!(bufferBytes < 230_000))('an agent that stops reading its input does not get a prompt committed: rejected, stopped, unavailable', async () => {
    const frozen = join(dir, 'frozen');
    const { runtime, backend } = start({ acp: testAgentOptions(['--mode', 'freeze', '--frozen-file', frozen], { timeouts: { promptAckMs: 500 } }) });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    const [pid] = backend.agentPids();
    expect(await eventually(() => existsSync(frozen))).toBe(true);
    const big = 'y'.repeat(120_000);
    const result = await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: big }, { kind: 'text', content: big }] });
    expect(result).toMatchObject({ outcome: 'rejected', diagnostic: { code: 'agent_not_reading' } });
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable')).toBe(true);
    expect(await gone(pid!)).toBe(true);
  });

  it('failed starts leave unavailable Workers with a typed diagnostic and no process', async () => {
    const hang = withGrandchild();
    const { runtime } = start({
      missing: { command: '/nonexistent/acp-agent' },
      cwd: testAgentOptions([], { cwd: join(dir, 'no-such-dir') }),
      invalid: { command: 'x', timeouts: { initializeMs: -1 } },
      hang: testAgentOptions(['--mode', 'init-hang', ...hang.args], { timeouts: { initializeMs: 4_000 } }),
      refuse: testAgentOptions(['--mode', 'init-fail']),
      exits: testAgentOptions(['--mode', 'exit']),
      auth: testAgentOptions(['--mode', 'auth']),
    });
    const expected: Record<string, [string, RegExp]> = {
      missing: ['agent_command_not_found', /not found/],
      cwd: ['agent_cwd_unavailable', /working directory/],
      invalid: ['acp_options_invalid', /timeouts\.initializeMs/],
      hang: ['agent_initialize_failed', /did not answer initialize within 4000 ms/],
      refuse: ['agent_initialize_failed', /refused initialize \(JSON-RPC -32603\)/],
      exits: ['agent_initialize_failed', /ended during initialize \(exit code 2\)/],
      auth: ['agent_auth_required', /requires authentication/],
    };
    const created = await Promise.all(Object.keys(expected).map((profile) => runtime.create({ workerId: profile, profile })));
    for (const [i, [profile, [code, message]]] of Object.entries(expected).entries()) {
      expect(created[i]!.worker, profile).toMatchObject({ state: 'unavailable', diagnostic: { code } });
      expect(created[i]!.worker?.diagnostic?.message, profile).toMatch(message);
    }
    expect(hang.pid()).not.toBeNull(); // the agent ran (and started a child) before it was given up on
    expect(await gone(hang.pid())).toBe(true);
    expect(current!.backend.agentPids()).toEqual([]);
  });
});

describe('AcpExecutionBackend: no orphaned process', () => {
  it('after stop, and after Runtime shutdown (idle and mid-run), the agent and its children are gone', async () => {
    const children = [withGrandchild(), withGrandchild(), withGrandchild()];
    const { runtime, backend } = start(Object.fromEntries(children.map((c, i) => [`p${i}`, testAgentOptions(c.args)])));
    for (let i = 0; i < 3; i++) await runtime.create({ workerId: `w${i}`, profile: `p${i}` });
    const pids = backend.agentPids();
    expect(pids).toHaveLength(3);
    expect(await runtime.stop('w0')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(isAlive(pids[0]!)).toBe(false);
    expect(await gone(children[0]!.pid())).toBe(true);
    expect(isAlive(pids[1]!)).toBe(true);
    await runtime.submitInput('w2', { kind: 'user', segments: [{ kind: 'text', content: '#ignore-cancel' }] });
    await runtime.shutdown();
    for (const pid of [...pids, ...children.map((c) => c.pid())]) expect(await gone(pid)).toBe(true);
    expect(backend.agentPids()).toEqual([]);
  });
});
