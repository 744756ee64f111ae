import { PROCFS } from './procfs.js';
import { reapStaleRecords } from './processRecords.js';
import type { ProcessTree } from './processTree.js';
import { ProcessWatchdog } from './processWatchdog.js';

/**
 * Every process tree a supervisor started and has not yet seen end, in this host process. Three things
 * keep the guarantee that nothing outlives its execution, whatever ends the host:
 * - the host exits normally (or an embedding app never stopped its Runtime): the `exit` hook kills
 *   every tracked tree synchronously;
 * - the host is ended by a signal it has no handler for, or `kill -9`: the watchdog process sees its
 *   pipe close and ends every tree;
 * - host and watchdog both killed: the pid record they left is reaped by the next start (the first
 *   tracked tree of any later host on this machine).
 */
const live = new Map<number, { tree: ProcessTree | null; watch: string | null }>();
let hooked = false;

function killAll(): void {
  for (const [leader, { tree }] of live) {
    if (tree) tree.signal('SIGKILL');
    else killGroup(leader, 'SIGKILL');
  }
  live.clear();
}

/** Signals a whole process group; false when it no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Tracks an execution by its leader's pid; `tree` is null without procfs (the leader's group is all there is). */
export function trackTree(leader: number, tree: ProcessTree | null): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
    if (PROCFS) reapStaleRecords();
  }
  live.set(leader, { tree, watch: tree ? ProcessWatchdog.shared().watch(tree) : null });
}

/** Forgets an execution whose tree is verified empty. */
export function untrackTree(leader: number): void {
  const entry = live.get(leader);
  if (!entry) return;
  live.delete(leader);
  if (entry.watch !== null) ProcessWatchdog.shared().unwatch(entry.watch);
}

/** Leader pids of the executions started and not yet ended (for diagnostics and tests). */
export function trackedTrees(): number[] {
  return [...live.keys()];
}
