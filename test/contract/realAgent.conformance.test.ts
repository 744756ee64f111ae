import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import { listProcesses, readStartTime } from '../../src/adapters/process/procfs.js';
import { textInput } from '../../src/domain/workerInput.js';
import { describeExecutionBackendConformance, eventually, takeUntil } from '../../src/testing/index.js';
import { acpRuntime, eventsOf, runTurn } from '../support/acpAgentFixture.js';
import { codexOptions, useCodexHome } from '../support/codexAgentFixture.js';
import { defaultScript, startMockModelServer, type MockModelServer, type MockReply } from '../support/mockModelServer.js';
import { readTree, stillRunning, TREE_SPAWNER } from '../support/processTreeFixture.js';

// A REAL ACP agent from npm, Codex's `codex-acp` (pinned devDependency), against the scripted MOCK
// model server on 127.0.0.1 (Responses API streaming): the exported conformance suite unchanged, then
// a cancel in the middle of a streamed reply.
// `#tree:<file>`: the model asks Codex to run the tree spawner through its shell tool (exec_command);
// the command leaves a new-session and a double-forked process behind, as agents' shell commands do.
function script(prompt: string, context: { readonly toolResult: boolean }): MockReply {
  const tree = /#tree:(\S+)/.exec(prompt);
  if (tree && !context.toolResult) return { chunks: [], call: { name: 'exec_command', arguments: { cmd: `${process.execPath} ${TREE_SPAWNER} ${tree[1]}` } } };
  return defaultScript(prompt);
}

let mock: MockModelServer;
beforeAll(async () => {
  mock = await startMockModelServer(script);
  useCodexHome(mock.origin);
});
afterAll(() => mock.close());

describeExecutionBackendConformance({
  name: 'AcpExecutionBackend (real codex-acp from npm, mock model server)',
  create: () => {
    const backend = new AcpExecutionBackend({ backendId: 'acp' });
    return { backend, profileOptions: codexOptions(), dispose: () => backend.dispose(AbortSignal.timeout(10_000)) };
  },
  capabilities: { stop: true, cancel: true, method: false, snapshot: false, restore: true, decide: true },
  shortInput: textInput('hello'),
  longInput: textInput('a long answer #hold'),
  failingProfileOptions: codexOptions({ command: '/nonexistent/codex-acp' }),
  deadlines: { spawnMs: 30_000, cancelMs: 10_000, stopMs: 10_000 },
  runTimeoutMs: 15_000,
});

describe('real codex-acp: cancel mid-stream', () => {
  it('a turn cancelled while the model streams ends with stop_reason cancelled, the agent goes on; stop leaves nothing running, not even the model stream', async () => {
    const { runtime, stored, backend } = acpRuntime({ codex: codexOptions() }, { deadlines: { spawnMs: 30_000, cancelMs: 10_000 } });
    try {
      expect((await runtime.create({ workerId: 'c', profile: 'codex' })).worker?.state).toBe('idle');
      const observed = runtime.observe('c');
      if (!observed.ok) throw new Error(observed.result.reason);
      const abortedBefore = mock.aborted();
      expect(await runtime.submitInput('c', textInput('stream for a while #hold'))).toMatchObject({ outcome: 'accepted', reason: 'committed' });
      const streaming = await takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'text_delta' && String(f.observation.event.data?.text).includes('holding'), 20_000);
      expect(eventsOf(streaming).map((e) => e.event)).toContain('user_message');
      expect(runtime.get('c')?.state).toBe('busy');
      expect(await runtime.cancel('c')).toMatchObject({ outcome: 'accepted', reason: 'cancelled' });
      const rest = await takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'status', 10_000);
      observed.subscription.close();
      expect(eventsOf(rest).find((e) => e.event === 'run_end')?.data).toMatchObject({ stop_reason: 'cancelled' });
      expect(runtime.get('c')?.state).toBe('idle');
      const again = await runTurn(runtime, stored, 'c', 'and now a short one', 20_000);
      expect(again.events.find((e) => e.event === 'text_done')?.data?.text).toContain('Hello from the mock model');
      const agent = backend.agentPids()[0]!;
      // The npm launcher runs the platform binary as its child: both are the agent's tree.
      const tree = [[agent, readStartTime(agent)!] as const, ...listProcesses().filter((p) => p.ppid === agent).map((p) => [p.pid, p.start] as const)];
      expect(tree.length).toBeGreaterThanOrEqual(2);
      expect(await runtime.stop('c')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
      expect(stillRunning(tree)).toEqual([]);
      // Codex leaves a cancelled model stream open (it is not read any more); it goes with the agent.
      expect(await eventually(() => mock.aborted() > abortedBefore, 5_000)).toBe(true);
    } finally {
      await runtime.shutdown();
    }
  });
});

describe("real codex-acp: its shell tool's processes end with the Worker", () => {
  it('a command the agent ran that left a new-session and a double-forked process: all gone after stop (pid and start time)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-codex-tree-'));
    const { runtime, stored, backend } = acpRuntime({ codex: codexOptions() }, { deadlines: { spawnMs: 30_000 } });
    try {
      await runtime.create({ workerId: 'c', profile: 'codex' });
      const file = join(dir, 'tree');
      const turn = await runTurn(runtime, stored, 'c', `run the tool #tree:${file}`, 30_000);
      expect(turn.events.find((e) => e.event === 'tool_result')?.data).toMatchObject({ is_error: false });
      const agent = backend.agentPids()[0]!;
      // Codex ends its command's process group itself; the members that left it (new sessions) run on.
      const escaped = await readTree(file, { allowGone: true });
      const tree = [[agent, readStartTime(agent)!] as const, ...escaped];
      expect(stillRunning(escaped).length).toBeGreaterThanOrEqual(2);
      expect(await runtime.stop('c')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
      expect(stillRunning(tree)).toEqual([]);
    } finally {
      await runtime.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
