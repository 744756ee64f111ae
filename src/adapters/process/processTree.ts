import { environHolds, isSameProcess, listProcesses, type ProcStat } from './procfs.js';

/**
 * The environment variable every supervised process is started with (a random value per execution).
 * Children inherit it whatever group or session they move to, and it survives re-parenting, so it
 * marks the tree's members even after the chain of parents is broken (a double fork).
 */
export const TREE_ENV = 'WORKER_RUNTIME_TREE';

/** A process by pid and start time (a pid alone may be reused by another process). */
export type ProcessId = readonly [pid: number, start: number];

/**
 * Everything one execution started, on Linux: the leader, every process whose environment carries the
 * tree's marker, every descendant of a member by parent pid, every process in the leader's session or
 * group while that session or group is still the leader's, and every process ever seen as a member
 * (pid and start time recorded, so a member that scrubbed its environment and was re-parented is still
 * known). A process started before the leader is never a member. Every signal is sent only after the
 * pid's start time was checked again, so a pid reused by another process is never signalled.
 */
export class ProcessTree {
  /** pid to start time of every process seen as a member (pruned when it is gone). */
  readonly members = new Map<number, number>();
  private readonly marker: Buffer;
  private readonly environCache = new Map<number, { start: number; holds: boolean }>();

  constructor(
    readonly leaderPid: number,
    readonly leaderStart: number,
    readonly token: string,
    recorded: readonly ProcessId[] = [],
  ) {
    this.marker = Buffer.from(`${TREE_ENV}=${token}`);
    this.members.set(leaderPid, leaderStart);
    for (const [pid, start] of recorded) this.members.set(pid, start);
  }

  /** The live members now (each recorded); `processes` is one listing of the system, shared by several trees. */
  scan(processes: readonly ProcStat[] = listProcesses()): ProcStat[] {
    const found = new Map<number, ProcStat>();
    const live = new Set<number>();
    for (const p of processes) {
      live.add(p.pid);
      if (p.start < this.leaderStart) continue;
      if (this.members.get(p.pid) === p.start || this.holdsMarker(p)) found.set(p.pid, p);
    }
    // The leader's session and group ids can only be held by its own descendants while any member holds them.
    const leaderIds = [...found.values()].some((p) => p.sid === this.leaderPid || p.pgid === this.leaderPid);
    const children = new Map<number, ProcStat[]>();
    for (const p of processes) {
      if (p.start < this.leaderStart) continue;
      if (leaderIds && (p.sid === this.leaderPid || p.pgid === this.leaderPid)) found.set(p.pid, p);
      const siblings = children.get(p.ppid);
      if (siblings) siblings.push(p);
      else children.set(p.ppid, [p]);
    }
    const queue = [...found.values()];
    while (queue.length) {
      for (const child of children.get(queue.pop()!.pid) ?? []) {
        if (found.has(child.pid)) continue;
        found.set(child.pid, child);
        queue.push(child);
      }
    }
    for (const pid of this.members.keys()) if (!found.has(pid)) this.members.delete(pid);
    for (const pid of this.environCache.keys()) if (!live.has(pid)) this.environCache.delete(pid);
    for (const p of found.values()) this.members.set(p.pid, p.start);
    return [...found.values()];
  }

  /** Scans, then sends `signal` to each live member whose start time still matches; returns how many were signalled. */
  signal(signal: NodeJS.Signals, processes?: readonly ProcStat[]): number {
    let sent = 0;
    for (const member of this.scan(processes)) {
      if (!isSameProcess(member.pid, member.start)) continue;
      try {
        process.kill(member.pid, signal);
        sent++;
      } catch {
        // exited meanwhile
      }
    }
    return sent;
  }

  /** The recorded members, for a pid record on disk. */
  record(): ProcessId[] {
    return [...this.members.entries()];
  }

  private holdsMarker(p: ProcStat): boolean {
    const cached = this.environCache.get(p.pid);
    if (cached?.start === p.start) return cached.holds;
    const holds = environHolds(p.pid, this.marker);
    this.environCache.set(p.pid, { start: p.start, holds });
    return holds;
  }
}
