import { describe, expect, it } from 'vitest';
import { childEnvironment } from '../../src/adapters/process/childEnvironment.js';
import { SupervisedProcess } from '../../src/adapters/process/supervisedProcess.js';
import { trackedGroups } from '../../src/adapters/process/processRegistry.js';
import { isAlive } from '../support/acpAgentFixture.js';

const sh = (script: string) => SupervisedProcess.start({ command: 'sh', args: ['-c', script], cwd: process.cwd(), env: childEnvironment([]) });

describe('SupervisedProcess', () => {
  it('stop: SIGTERM, then SIGKILL after the grace for a child that ignores TERM; its group goes too', async () => {
    const started = await sh('trap "" TERM; sleep 30 & echo $!; wait');
    if (!started.ok) throw new Error(started.reason);
    const { process: child } = started;
    const grandchild = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d)))));
    expect(trackedGroups()).toContain(child.pid);
    const begun = Date.now();
    const exit = await child.stop(300);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(250);
    expect(exit.signal).toBe('SIGKILL');
    expect(isAlive(child.pid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
    expect(trackedGroups()).not.toContain(child.pid);
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
