import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** One process as `/proc/<pid>/stat` describes it (Linux). */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Field 22, in clock ticks since boot: with the pid, it names one process (pids are reused, start times are not). */
  readonly start: number;
  /** `Z` (zombie) and `X` (dead) count as gone: they run nothing and cannot be signalled into doing anything. */
  readonly state: string;
}

/** Whether this system has a Linux-style procfs (else supervision falls back to process groups). */
export const PROCFS = existsSync('/proc/self/stat');

/** Parses a `/proc/<pid>/stat` line; the command name may contain spaces and parentheses, so fields are read after the last `)`. */
export function parseStat(pid: number, line: string): ProcStat | null {
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  const fields = line.slice(close + 2).split(' ');
  const num = (i: number) => Number(fields[i]);
  const stat = { pid, state: fields[0] ?? '?', ppid: num(1), pgid: num(2), sid: num(3), start: num(19) };
  return Number.isFinite(stat.start) && Number.isFinite(stat.ppid) ? stat : null;
}

/** The process `pid` now, or null when it is gone (or is a zombie). */
export function readStat(pid: number): ProcStat | null {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const stat = parseStat(pid, line);
  return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat : null;
}

/** The start time of `pid`, zombie or not (a leader that exited at once is still a zombie until reaped). */
export function readStartTime(pid: number): number | null {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))?.start ?? null;
  } catch {
    return null;
  }
}

/** Whether `(pid, start)` is still the same live process (false once it exited or its pid was reused). */
export function isSameProcess(pid: number, start: number): boolean {
  return readStat(pid)?.start === start;
}

/** Every live process (zombies left out). */
export function listProcesses(): ProcStat[] {
  if (!PROCFS) return [];
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/**
 * Whether the environment `pid` was started with holds `marker` (`NAME=value`). Processes of other
 * users cannot be read and count as not holding it.
 */
export function environHolds(pid: number, marker: Buffer): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  for (let at = environ.indexOf(marker); at >= 0; at = environ.indexOf(marker, at + 1)) {
    const end = at + marker.length;
    if ((at === 0 || environ[at - 1] === 0) && (end === environ.length || environ[end] === 0)) return true;
  }
  return false;
}
