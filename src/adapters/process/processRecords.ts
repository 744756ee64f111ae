import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSameProcess, PROCFS, readStat } from './procfs.js';
import { ProcessTree, type ProcessId } from './processTree.js';

/** What a host's watchdog keeps on disk: enough for the next start to end the trees if both died. */
export interface TreesRecord {
  readonly host: ProcessId;
  readonly watchdog: ProcessId;
  readonly trees: readonly { readonly token: string; readonly leader: ProcessId; readonly members: readonly ProcessId[] }[];
}

/** Overrides where pid records are kept (default: a private directory under the OS temp directory). */
export const STATE_DIR_ENV = 'WORKER_RUNTIME_STATE_DIR';

/**
 * The directory for pid records, created 0700 if needed; null when it is not safely ours (a symlink,
 * another owner, readable by others) or cannot be made: then no record is kept.
 */
export function recordsDirectory(): string | null {
  if (!PROCFS) return null;
  const dir = process.env[STATE_DIR_ENV] || join(tmpdir(), `worker-runtime-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    if (!info.isDirectory() || info.isSymbolicLink() || info.uid !== process.getuid?.() || (info.mode & 0o077) !== 0) return null;
    return dir;
  } catch {
    return null;
  }
}

/** The record file of the host `(pid, start)`. */
export function recordFile(dir: string, host: ProcessId): string {
  return join(dir, `host-${host[0]}-${host[1]}.json`);
}

/** Writes a record atomically (a reader sees the old or the new one, never half). */
export function writeRecord(file: string, record: TreesRecord): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * The next start's part of the guarantee: for every record whose host and watchdog are both gone,
 * ends whatever is left of its trees (SIGKILL, each pid checked by start time first) and removes the
 * record. Returns how many processes were signalled. Never throws.
 */
export function reapStaleRecords(dir: string | null = recordsDirectory()): number {
  if (dir === null) return 0;
  let signalled = 0;
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^host-\d+-\d+\.json$/.test(name));
  } catch {
    return 0;
  }
  for (const name of names) {
    const file = join(dir, name);
    let record: TreesRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as TreesRecord;
    } catch {
      continue; // being written (renamed into place at once) or not ours to judge
    }
    if (!Array.isArray(record?.trees) || alive(record.host) || alive(record.watchdog)) continue;
    for (const tree of record.trees) {
      const [pid, start] = tree.leader;
      signalled += new ProcessTree(pid, start, String(tree.token), tree.members).signal('SIGKILL');
    }
    rmSync(file, { force: true });
  }
  return signalled;
}

function alive(id: ProcessId | undefined): boolean {
  return Array.isArray(id) && isSameProcess(Number(id[0]), Number(id[1]));
}

/** This process as a ProcessId (null without procfs). */
export function selfId(): ProcessId | null {
  const stat = readStat(process.pid);
  return stat ? [stat.pid, stat.start] : null;
}
