import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSameProcess, readStartTime } from '../../src/adapters/process/procfs.js';
import type { ProcessId } from '../../src/adapters/process/processTree.js';
import { eventually } from '../../src/testing/frames.js';

/** The TEST fixture that builds an escaping process tree (new session, double fork); see its header. */
export const TREE_SPAWNER = fileURLToPath(new URL('./treeSpawner.mjs', import.meta.url));

/**
 * Waits for `file` (pids, one per line) and names each process by pid and start time, read at once.
 * A process already gone is an error, unless `allowGone` (an agent that ends part of the tree itself).
 */
export async function readTree(file: string, { timeoutMs = 10_000, allowGone = false } = {}): Promise<ProcessId[]> {
  if (!(await eventually(() => existsSync(file), timeoutMs))) throw new Error(`no process list in ${file}`);
  const pids = readFileSync(file, 'utf8').trim().split('\n').map(Number);
  return pids.flatMap((pid) => {
    const start = readStartTime(pid);
    if (start === null && !allowGone) throw new Error(`process ${pid} of the tree is already gone`);
    return start === null ? [] : [[pid, start] as const];
  });
}

/** The processes of `ids` still running as themselves (a pid reused by another process does not count). */
export function stillRunning(ids: readonly ProcessId[]): ProcessId[] {
  return ids.filter(([pid, start]) => isSameProcess(pid, start));
}

/** Whether every process of `ids` is gone within `timeoutMs`. */
export function allGone(ids: readonly ProcessId[], timeoutMs = 5_000): Promise<boolean> {
  return eventually(() => stillRunning(ids).length === 0, timeoutMs, 25);
}
