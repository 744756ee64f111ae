import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readStartTime } from '../../src/adapters/process/procfs.js';
import { reapStaleRecords, STATE_DIR_ENV } from '../../src/adapters/process/processRecords.js';
import type { ProcessId } from '../../src/adapters/process/processTree.js';
import { eventually } from '../../src/testing/index.js';
import { acpRuntime, testAgentOptions, TSX_LOADER } from '../support/acpAgentFixture.js';
import { bridgeRuntime, readInfo, testWorkerOptions } from '../support/bridgeWorkerFixture.js';
import { allGone, readTree, stillRunning } from '../support/processTreeFixture.js';

// Rule: nothing outlives its Worker. Real process trees whose members leave the agent's (or worker's)
// group and session (setsid) or are re-parented (double fork), checked by pid and start time after
// Worker stop, Runtime shutdown, SIGTERM of an embedding program without handlers, SIGKILL of the
// host, and SIGKILL of host and watchdog together (then the next start reaps the pid record).
const root = mkdtempSync(join(tmpdir(), 'wr-tree-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let serial = 0;
const fresh = () => mkdtempSync(join(root, `${serial++}-`));
const text = (content: string) => ({ kind: 'user' as const, segments: [{ kind: 'text' as const, content }] });
const id = (pid: number): ProcessId => [pid, readStartTime(pid)!];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('no process outlives its Worker, whatever ends it', () => {
  it('Worker stop (ACP agent) and Runtime shutdown (worker bridge, mid-run) end every member of the tree', async () => {
    const dir = fresh();
    const agent = acpRuntime({ acp: testAgentOptions() });
    const bridge = bridgeRuntime({ bridge: testWorkerOptions(['--info-file', join(dir, 'worker.json')]) });
    cleanups.push(() => agent.runtime.shutdown(), () => bridge.runtime.shutdown());
    await agent.runtime.create({ workerId: 'a', profile: 'acp' });
    await bridge.runtime.create({ workerId: 'b', profile: 'bridge' });
    expect(await agent.runtime.submitInput('a', text(`#tree:${join(dir, 'agent-tree')} #hold`))).toMatchObject({ outcome: 'accepted' });
    expect(await bridge.runtime.submitInput('b', text(`#tree:${join(dir, 'worker-tree')} #hold`))).toMatchObject({ outcome: 'accepted' });
    const agentTree = [id(agent.backend.agentPids()[0]!), ...(await readTree(join(dir, 'agent-tree')))];
    const workerTree = [id((await readInfo(join(dir, 'worker.json'))).pid), ...(await readTree(join(dir, 'worker-tree')))];
    expect(stillRunning([...agentTree, ...workerTree])).toHaveLength(10);

    expect(await agent.runtime.stop('a')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(stillRunning(agentTree)).toEqual([]); // stop answers once nothing of the tree is left
    expect(stillRunning(workerTree)).toHaveLength(5);
    await bridge.runtime.shutdown();
    expect(stillRunning(workerTree)).toEqual([]);
  });

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${how} of an embedding program without handlers: its watchdog ends both backends' trees`, async () => {
      const { host, tree } = await startEmbedding(fresh());
      expect(stillRunning(tree)).toHaveLength(tree.length);
      process.kill(host.pid!, how);
      expect(await allGone(tree, 10_000)).toBe(true);
    }, 60_000);
  }

  it('SIGKILL of host and watchdog together: the pid record is reaped by the next start', async () => {
    const records = fresh();
    const { host, tree, watchdog } = await startEmbedding(fresh(), { [STATE_DIR_ENV]: records });
    expect(readdirSync(records).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const hostId = id(host.pid!);
    process.kill(watchdog[0], 'SIGKILL');
    process.kill(host.pid!, 'SIGKILL');
    // A signalled process takes a moment to be gone (more under load): the next start comes after that.
    expect(await allGone([watchdog, hostId], 5_000)).toBe(true);
    expect(stillRunning(tree).length).toBeGreaterThan(0); // nobody is left to end them...
    expect(reapStaleRecords(records)).toBeGreaterThan(0); // ...until the next start
    expect(await allGone(tree, 5_000)).toBe(true);
    expect(readdirSync(records).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, 60_000);
});

const EMBEDDING = fileURLToPath(new URL('../support/embeddingHost.ts', import.meta.url));

/** Starts the embedding program, waits until both trees run; every process it must not leave behind. */
async function startEmbedding(dir: string, env: Record<string, string> = {}) {
  const host = spawn(process.execPath, ['--import', TSX_LOADER, EMBEDDING, dir], { stdio: 'ignore', env: { ...process.env, ...env } });
  cleanups.push(async () => {
    if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
  });
  const ready = join(dir, 'host.json');
  // Generous: the program compiles the sources through tsx first, slow on a loaded machine.
  if (!(await eventually(() => existsSync(ready), 45_000, 25))) throw new Error('the embedding program did not get ready');
  const pids = JSON.parse(readFileSync(ready, 'utf8')) as { agent: number; worker: number; watchdog: number };
  const tree = [id(pids.agent), id(pids.worker), ...(await readTree(join(dir, 'agent-tree'))), ...(await readTree(join(dir, 'worker-tree')))];
  return { host, tree, watchdog: id(pids.watchdog) };
}
