/**
 * Every process group a supervisor started and has not yet seen end. If the host process exits while
 * some are still running (an embedding app that never stopped its Runtime), they are killed
 * synchronously in the `exit` hook, so nothing started here outlives the host by accident.
 */
const live = new Set<number>();
let hooked = false;

function killAll(): void {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
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

export function trackGroup(pgid: number): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
  }
  live.add(pgid);
}

export function untrackGroup(pgid: number): void {
  live.delete(pgid);
}

/** Process groups started and not yet ended (for diagnostics and tests). */
export function trackedGroups(): number[] {
  return [...live];
}
