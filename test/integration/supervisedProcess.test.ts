import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnvironment } from '../../src/adapters/process/childEnvironment.js';
import { readStartTime } from '../../src/adapters/process/procfs.js';
import { trackedTrees } from '../../src/adapters/process/processRegistry.js';
import { ProcessWatchdog } from '../../src/adapters/process/processWatchdog.js';
import { SupervisedProcess } from '../../src/adapters/process/supervisedProcess.js';
import { isAlive } from '../support/acpAgentFixture.js';
import { allGone, readTree, stillRunning, TREE_SPAWNER } from '../support/processTreeFixture.js';

const sh = (script: string) => SupervisedProcess.start({ command: 'sh', args: ['-c', script], cwd: process.cwd(), env: childEnvironment([]) });
const dir = mkdtempSync(join(tmpdir(), 'wr-supervised-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const spawner = (stay: boolean) => {
  const file = join(dir, `tree-${files++}`);
  const started = SupervisedProcess.start({ command: process.execPath, args: [TREE_SPAWNER, file, ...(stay ? ['--stay'] : [])], cwd: process.cwd(), env: childEnvironment([]) });
  return { file, started };
};

describe('SupervisedProcess', () => {
  it('stop: SIGTERM, then SIGKILL after the grace for a child that ignores TERM; its group goes too', async () => {
    const started = await sh('trap "" TERM; sleep 30 & echo $!; wait');
    if (!started.ok) throw new Error(started.reason);
    const { process: child } = started;
    const grandchild = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d)))));
    expect(trackedTrees()).toContain(child.pid);
    const begun = Date.now();
    const exit = await child.stop(300);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(250);
    expect(exit.signal).toBe('SIGKILL');
    expect(isAlive(child.pid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
    expect(trackedTrees()).not.toContain(child.pid);
  });

  it('stop ends members that left the group and session (setsid) or were re-parented (double fork), checked by pid and start time', async () => {
    const { file, started } = spawner(true);
    const result = await started;
    if (!result.ok) throw new Error(result.reason);
    const tree = await readTree(file);
    expect(tree).toHaveLength(4);
    expect(stillRunning(tree)).toEqual(tree);
    const leader = [result.process.pid, readStartTime(result.process.pid)!] as const;
    await result.process.stop(1_000);
    // stop resolves only once nothing of the tree is left: no waiting here.
    expect(stillRunning([leader, ...tree])).toEqual([]);
    expect(trackedTrees()).not.toContain(leader[0]);
  });

  it('a leader that exits leaves nothing behind: its escaped members are ended at once', async () => {
    const { file, started } = spawner(false);
    const result = await started;
    if (!result.ok) throw new Error(result.reason);
    // The leader exits right after listing them, and its tree is ended at once: some may be gone already.
    const tree = await readTree(file, { allowGone: true });
    expect((await result.process.exited).code).toBe(0);
    expect(await allGone(tree)).toBe(true);
  });

  it('a watchdog process guards the trees while the host runs, in its own session', async () => {
    const { started } = spawner(true);
    const result = await started;
    if (!result.ok) throw new Error(result.reason);
    const watchdog = ProcessWatchdog.shared();
    expect(watchdog.running).toBe(true);
    expect(isAlive(watchdog.pid!)).toBe(true);
    await result.process.stop(500);
  });

  it('typed start failures; a bounded stderr tail; only PATH and allow-listed variables', async () => {
    expect(await SupervisedProcess.start({ command: '/nonexistent/cmd', args: [], cwd: process.cwd(), env: {} })).toEqual({ ok: false, reason: 'not_found' });
    expect(await SupervisedProcess.start({ command: 'sh', args: [], cwd: '/nonexistent/dir', env: {} })).toEqual({ ok: false, reason: 'cwd_unavailable' });
    expect(await SupervisedProcess.start({ command: process.cwd(), args: [], cwd: process.cwd(), env: {} })).toEqual({ ok: false, reason: 'not_executable' });
    const noisy = await SupervisedProcess.start({ command: 'sh', args: ['-c', 'head -c 100000 /dev/zero | tr "\\0" e >&2; echo done >&2'], cwd: process.cwd(), env: childEnvironment([]), stderrTailBytes: 64 });
    if (!noisy.ok) throw new Error(noisy.reason);
    expect((await noisy.process.exited).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(noisy.process.stderrTail()).toHaveLength(64);
    expect(noisy.process.stderrTail().endsWith('done\n')).toBe(true);
    expect(childEnvironment(['KEEP', 'bad name', 'UNSET'], { PATH: '/bin', KEEP: 'k', DROP: 'd' })).toEqual({ PATH: '/bin', KEEP: 'k' });
  });
});
