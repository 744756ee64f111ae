/**
 * The watchdog process (one per host process, started by `ProcessWatchdog`, in its own session so
 * signals to the host's group do not reach it). It learns each execution's tree from the host's
 * pipe (`watch` / `unwatch` lines), scans `/proc` every 200 ms while any tree is watched, tells the host
 * every member it sees (`member` lines) and keeps a pid record on disk. When the host's pipe closes or
 * the host is gone (its parent pid changes), however the host ended (`kill -9` included), it ends every
 * watched tree: SIGTERM, then SIGKILL after a second, each pid checked by start time first; then it
 * removes the record and exits.
 */
import { rmSync } from 'node:fs';
import { listProcesses, readStat } from './procfs.js';
import { writeRecord, type TreesRecord } from './processRecords.js';
import { ProcessTree, type ProcessId } from './processTree.js';

const SCAN_MS = 200;
const REAP_GRACE_MS = 1_000;

const recordPath = process.argv[2] && process.argv[2] !== '-' ? process.argv[2] : null;
const host: ProcessId = [Number(process.argv[3]), Number(process.argv[4])];
const self: ProcessId = [process.pid, readStat(process.pid)?.start ?? 0];
const parent = process.ppid;
const trees = new Map<string, { tree: ProcessTree; reported: Set<string> }>();
let timer: NodeJS.Timeout | null = null;
let reaping = false;
let dirty = false;

// A terminal's hangup or interrupt is the host's business; this process ends only with its host.
process.on('SIGHUP', () => undefined);
process.on('SIGINT', () => undefined);

function send(line: Record<string, unknown>): void {
  if (process.stdout.writable) process.stdout.write(`${JSON.stringify(line)}\n`);
}

function scan(): void {
  if (process.ppid !== parent) {
    void reap(); // re-parented: the host is gone even if its pipe is held open somewhere
    return;
  }
  const processes = listProcesses();
  for (const [id, entry] of trees) {
    for (const member of entry.tree.scan(processes)) {
      const key = `${member.pid}:${member.start}`;
      if (entry.reported.has(key)) continue;
      entry.reported.add(key);
      dirty = true;
      send({ op: 'member', id, pid: member.pid, start: member.start });
    }
  }
  if (dirty) saveRecord();
}

function saveRecord(): void {
  dirty = false;
  if (recordPath === null) return;
  try {
    if (trees.size === 0) return rmSync(recordPath, { force: true });
    const record: TreesRecord = {
      host,
      watchdog: self,
      trees: [...trees.values()].map(({ tree }) => ({ token: tree.token, leader: [tree.leaderPid, tree.leaderStart], members: tree.record() })),
    };
    writeRecord(recordPath, record);
  } catch {
    // no record this time: the watchdog itself still guards the trees
  }
}

function schedule(): void {
  if (trees.size > 0 && timer === null) timer = setInterval(scan, SCAN_MS);
  if (trees.size === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

function onLine(text: string): void {
  let message: { op?: unknown; id?: unknown; pid?: unknown; start?: unknown; token?: unknown };
  try {
    message = JSON.parse(text);
  } catch {
    return;
  }
  const id = String(message.id);
  if (message.op === 'watch' && Number.isInteger(message.pid) && Number.isInteger(message.start) && typeof message.token === 'string') {
    trees.set(id, { tree: new ProcessTree(message.pid as number, message.start as number, message.token), reported: new Set() });
    dirty = true;
  } else if (message.op === 'unwatch') {
    trees.delete(id);
    dirty = true;
  }
  schedule();
  if (dirty) saveRecord();
}

async function reap(): Promise<void> {
  if (reaping) return;
  reaping = true;
  if (timer !== null) clearInterval(timer);
  const all = [...trees.values()].map((entry) => entry.tree);
  let sent = all.reduce((n, tree) => n + tree.signal('SIGTERM'), 0);
  for (let waited = 0; sent > 0 && waited < REAP_GRACE_MS; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const processes = listProcesses();
    sent = all.reduce((n, tree) => n + tree.scan(processes).length, 0);
  }
  for (let round = 0; round < 5 && all.reduce((n, tree) => n + tree.signal('SIGKILL'), 0) > 0; round++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (recordPath !== null) rmSync(recordPath, { force: true });
  process.exit(0);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (buffered + chunk).split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) if (line.trim() !== '') onLine(line);
});
process.stdin.once('end', () => void reap());
process.stdin.once('close', () => void reap());
process.stdout.on('error', () => undefined);
send({ op: 'ready' });
