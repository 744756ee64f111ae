import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { ByteTail } from './byteTail.js';
import { killGroup, trackGroup, untrackGroup } from './processRegistry.js';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Must be an existing directory (checked first, so a missing one is not mistaken for a missing command). */
  readonly cwd: string;
  /** The child's whole environment (see `childEnvironment`); nothing of the host's is inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** The most recent stderr bytes kept; the rest is read and dropped. Default 16 KiB. */
  readonly stderrTailBytes?: number;
  /** Also sees every stderr chunk (a terminal merging both streams). */
  readonly onStderr?: (chunk: Buffer) => void;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Why a start failed. Carries no path: callers turn it into their own diagnostic. */
export type SpawnFailureReason = 'not_found' | 'not_executable' | 'cwd_unavailable' | 'failed';

export type StartResult = { readonly ok: true; readonly process: SupervisedProcess } | { readonly ok: false; readonly reason: SpawnFailureReason };

/**
 * One supervised child process in its own process group. Its exit is tracked; `stop` sends SIGTERM to
 * the whole group, then SIGKILL after a grace period; when the leader exits, whatever is left of its
 * group is killed at once. stderr is always drained into a bounded tail. Groups still running when the
 * host process exits are killed by the registry's exit hook. Reusable by any adapter that runs a
 * helper process (ACP agents, worker bridges).
 */
export class SupervisedProcess {
  readonly exited: Promise<ProcessExit>;
  private exitInfo: ProcessExit | null = null;
  private stopping: Promise<ProcessExit> | null = null;
  private readonly tail: ByteTail;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    stderrTailBytes: number,
    onStderr?: (chunk: Buffer) => void,
  ) {
    this.tail = new ByteTail(stderrTailBytes);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        if (child.pid !== undefined) {
          killGroup(child.pid, 'SIGKILL'); // stragglers of an ended leader: no orphans
          untrackGroup(child.pid);
        }
        resolve(this.exitInfo);
      });
    });
    child.on('error', () => undefined); // reported through `start` or the exit; never an uncaught throw
    child.stdin.on('error', () => undefined); // EPIPE once the child is gone: writers see it in their callback
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);
    child.stderr.on('data', (chunk: Buffer) => {
      this.tail.push(chunk);
      onStderr?.(chunk);
    });
  }

  /** Starts a process; resolves once it runs (or with a typed failure, nothing left behind). */
  static async start(spec: ProcessSpec): Promise<StartResult> {
    const isDirectory = await stat(spec.cwd).then((s) => s.isDirectory(), () => false);
    if (!isDirectory) return { ok: false, reason: 'cwd_unavailable' };
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, stdio: 'pipe', detached: true, windowsHide: true });
    } catch (error) {
      return { ok: false, reason: failureReason(error) };
    }
    const supervised = new SupervisedProcess(child, spec.stderrTailBytes ?? 16 * 1024, spec.onStderr);
    const failure = await new Promise<unknown>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (failure !== null || child.pid === undefined) return { ok: false, reason: failureReason(failure) };
    // An instant exit has already killed and untracked the group: track only a live one.
    if (!supervised.exitInfo) trackGroup(child.pid);
    return { ok: true, process: supervised };
  }

  /** The leader's process id, which is also its process group id. Host-side only. */
  get pid(): number {
    return this.child.pid!;
  }

  get stdin(): Writable {
    return this.child.stdin;
  }

  get stdout(): Readable {
    return this.child.stdout;
  }

  /** How the process ended, or null while it runs. */
  get exit(): ProcessExit | null {
    return this.exitInfo;
  }

  /** The most recent stderr output (bounded). For host-side logs only: it may hold anything. */
  stderrTail(): string {
    return this.tail.text();
  }

  /**
   * Ends the process: closes its stdin, SIGTERM to its group, SIGKILL after `graceMs` (or at once when
   * `signal` aborts). Idempotent; resolves when the leader has exited and its group was killed.
   */
  stop(graceMs: number, signal?: AbortSignal): Promise<ProcessExit> {
    this.stopping ??= this.terminate(graceMs);
    if (signal?.aborted) this.kill();
    else signal?.addEventListener('abort', () => this.kill(), { once: true });
    return this.stopping;
  }

  /** SIGKILL to the whole group now. */
  kill(): void {
    if (!this.exitInfo) killGroup(this.pid, 'SIGKILL');
  }

  private async terminate(graceMs: number): Promise<ProcessExit> {
    if (this.exitInfo) return this.exitInfo;
    this.child.stdin.end();
    killGroup(this.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<null>((resolve) => (timer = setTimeout(resolve, graceMs, null)));
    const ended = await Promise.race([this.exited, graceOver]);
    clearTimeout(timer);
    if (ended === null) this.kill();
    return this.exited;
  }
}

function failureReason(error: unknown): SpawnFailureReason {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'not_found';
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOEXEC') return 'not_executable';
  return 'failed';
}
