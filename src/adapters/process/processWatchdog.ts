import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROCFS } from './procfs.js';
import { recordFile, recordsDirectory, selfId } from './processRecords.js';
import type { ProcessTree } from './processTree.js';

/** How the watchdog is started: plain node on the built package; from sources (tests) through tsx. */
function watchdogCommand(): string[] | null {
  const compiled = fileURLToPath(new URL('./processWatchdogMain.js', import.meta.url));
  if (existsSync(compiled)) return [compiled];
  const source = fileURLToPath(new URL('./processWatchdogMain.ts', import.meta.url));
  if (!existsSync(source)) return null;
  try {
    return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, source];
  } catch {
    return null;
  }
}

/**
 * The host side of the watchdog process (see `processWatchdogMain`): started with the first watched
 * tree, told of each tree, and it learns of the host's end by its pipe closing. It never keeps the host
 * running (unreferenced). Without procfs it is not started: supervision then falls back to process
 * groups while the host lives (see `SupervisedProcess`). If it dies, the next watched tree starts another.
 */
export class ProcessWatchdog {
  private static instance: ProcessWatchdog | null = null;
  private child: ChildProcess | null = null;
  private readonly trees = new Map<string, ProcessTree>();
  private serial = 0;

  static shared(): ProcessWatchdog {
    return (ProcessWatchdog.instance ??= new ProcessWatchdog());
  }

  /** Whether a watchdog process is running for this host (diagnostics and tests). */
  get running(): boolean {
    return this.child !== null;
  }

  /** The watchdog's pid (tests only). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Watches `tree` until `unwatch`; members the watchdog sees are added to `tree.members`. Returns the watch id. */
  watch(tree: ProcessTree): string {
    const id = String(++this.serial);
    this.trees.set(id, tree);
    const running = this.child !== null;
    // A watchdog started now is told of every tree, this one included.
    if (this.ensure() && running) this.send({ op: 'watch', id, pid: tree.leaderPid, start: tree.leaderStart, token: tree.token });
    return id;
  }

  unwatch(id: string): void {
    if (this.trees.delete(id)) this.send({ op: 'unwatch', id });
  }

  private ensure(): boolean {
    if (this.child) return true;
    if (!PROCFS) return false;
    const command = watchdogCommand();
    const self = selfId();
    if (!command || !self) return false;
    const dir = recordsDirectory();
    const record = dir === null ? '-' : recordFile(dir, self);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...command, record, String(self[0]), String(self[1])], {
        stdio: ['pipe', 'pipe', 'ignore'],
        detached: true,
        env: { PATH: process.env.PATH ?? '' },
      });
    } catch {
      return false;
    }
    this.child = child;
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    let buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const lines = (buffered + chunk).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    });
    // Never what keeps the host running.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    for (const [id, tree] of this.trees) this.send({ op: 'watch', id, pid: tree.leaderPid, start: tree.leaderStart, token: tree.token });
    return true;
  }

  private onLine(line: string): void {
    let message: { op?: unknown; id?: unknown; pid?: unknown; start?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.op !== 'member' || !Number.isInteger(message.pid) || !Number.isInteger(message.start)) return;
    this.trees.get(String(message.id))?.members.set(message.pid as number, message.start as number);
  }

  private send(line: Record<string, unknown>): void {
    this.child?.stdin?.write(`${JSON.stringify(line)}\n`);
  }
}
