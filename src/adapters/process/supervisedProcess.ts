import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { ByteTail } from './byteTail.js';
import { PROCFS, readStartTime } from './procfs.js';
import { killGroup, trackTree, untrackTree } from './processRegistry.js';
import { ProcessTree, TREE_ENV } from './processTree.js';

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

/** After the leader exited: how long the rest of its tree may take to be gone (SIGKILL every 25 ms meanwhile). */
const TREE_END_MS = 2_000;

/**
 * One supervised child process and everything it starts. The child runs in its own session and process
 * group and carries a per-execution marker in its environment (`TREE_ENV`); on Linux its whole tree is
 * followed through `/proc` (descendants by parent, the marker, its session, every member seen with its
 * start time; see `ProcessTree`), so members that left its group or session or were re-parented are
 * still ended. `stop` sends SIGTERM to the whole tree, then SIGKILL after a grace period; when the
 * leader exits, whatever is left of its tree is killed at once. Every pid is checked by start time right
 * before it is signalled. stderr is always drained into a bounded tail. Trees still running when the
 * host ends are ended by the registry (exit hook, watchdog process, pid record). Without procfs the
 * process group is all that is followed. Reusable by any adapter that runs a helper process.
 */
export class SupervisedProcess {
  readonly exited: Promise<ProcessExit>;
  /** Resolves once stderr has ended (everything the process wrote there is in the tail). */
  readonly stderrEnded: Promise<void>;
  private exitInfo: ProcessExit | null = null;
  private stopping: Promise<ProcessExit> | null = null;
  private treeEnded: Promise<void> = Promise.resolve();
  private readonly tail: ByteTail;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly tree: ProcessTree | null,
    stderrTailBytes: number,
    onStderr?: (chunk: Buffer) => void,
  ) {
    this.tail = new ByteTail(stderrTailBytes);
    if (child.pid !== undefined) trackTree(child.pid, tree);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.treeEnded = this.endTree(); // stragglers of an ended leader: no orphans
        resolve(this.exitInfo);
      });
    });
    child.on('error', () => undefined); // reported through `start` or the exit; never an uncaught throw
    child.stdin.on('error', () => undefined); // EPIPE once the child is gone: writers see it in their callback
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);
    this.stderrEnded = new Promise((resolve) => child.stderr.once('close', () => resolve()));
    child.stderr.on('data', (chunk: Buffer) => {
      this.tail.push(chunk);
      onStderr?.(chunk);
    });
  }

  /** Starts a process; resolves once it runs (or with a typed failure, nothing left behind). */
  static async start(spec: ProcessSpec): Promise<StartResult> {
    const isDirectory = await stat(spec.cwd).then((s) => s.isDirectory(), () => false);
    if (!isDirectory) return { ok: false, reason: 'cwd_unavailable' };
    const token = randomBytes(16).toString('hex');
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env, [TREE_ENV]: token }, stdio: 'pipe', detached: true, windowsHide: true });
    } catch (error) {
      return { ok: false, reason: failureReason(error) };
    }
    // Read at once: even a leader that exited already is a zombie until this process reaps it.
    const start = PROCFS && child.pid !== undefined ? readStartTime(child.pid) : null;
    const tree = start === null ? null : new ProcessTree(child.pid!, start, token);
    const supervised = new SupervisedProcess(child, tree, spec.stderrTailBytes ?? 16 * 1024, spec.onStderr);
    const failure = await new Promise<unknown>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (failure !== null || child.pid === undefined) {
      if (child.pid !== undefined) untrackTree(child.pid);
      return { ok: false, reason: failureReason(failure) };
    }
    return { ok: true, process: supervised };
  }

  /** The leader's process id, which is also its process group and session id. Host-side only. */
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
   * Ends the process and its tree: closes its stdin, SIGTERM to every member, SIGKILL after `graceMs`
   * (or at once when `signal` aborts). Idempotent; resolves when the leader has exited and nothing of
   * its tree is left (or, past every bound, what is left was sent SIGKILL).
   */
  stop(graceMs: number, signal?: AbortSignal): Promise<ProcessExit> {
    this.stopping ??= this.terminate(graceMs);
    if (signal?.aborted) this.kill();
    else signal?.addEventListener('abort', () => this.kill(), { once: true });
    return this.stopping;
  }

  /** SIGKILL to the whole tree now. */
  kill(): void {
    if (!this.exitInfo) this.signalTree('SIGKILL');
  }

  private signalTree(signal: NodeJS.Signals): number {
    if (this.tree) return this.tree.signal(signal);
    // No procfs: the group is all that is known (while the leader lives, its group id is surely ours).
    return !this.exitInfo && killGroup(this.pid, signal) ? 1 : 0;
  }

  private async terminate(graceMs: number): Promise<ProcessExit> {
    if (!this.exitInfo) {
      this.child.stdin.end();
      this.signalTree('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<null>((resolve) => (timer = setTimeout(resolve, graceMs, null)));
      const ended = await Promise.race([this.exited, graceOver]);
      clearTimeout(timer);
      if (ended === null) this.kill();
    }
    const exit = await this.exited;
    await this.treeEnded;
    return exit;
  }

  private async endTree(): Promise<void> {
    if (this.tree) {
      for (let waited = 0; this.tree.signal('SIGKILL') > 0 && waited < TREE_END_MS; waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } else {
      killGroup(this.pid, 'SIGKILL');
    }
    untrackTree(this.pid);
  }
}

function failureReason(error: unknown): SpawnFailureReason {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'not_found';
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOEXEC') return 'not_executable';
  return 'failed';
}
