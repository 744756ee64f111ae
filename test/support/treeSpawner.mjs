/**
 * A TEST fixture that builds a process tree the way agents' shell tools do, then reports it:
 * `node test/support/treeSpawner.mjs <file> [--stay]`. It starts
 * - `sleep` in a new session (setsid: it leaves the group and session of whoever started it),
 * - `sleep` through a double fork (its parent shell exits at once: it is re-parented, its chain broken),
 * - a new-session shell that double-forks another `sleep` (both escapes at once),
 * - a plain child `sleep`,
 * and writes their pids, one per line, to `<file>` (atomically, once all run). With `--stay` it then
 * runs until killed; otherwise it exits at once, leaving the tree behind.
 */
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
const stay = process.argv.includes('--stay');
const pids = [];
const echoPid = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], ...options });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', () => resolve(Number(out.trim())));
  });

const session = spawn('sleep', ['61'], { detached: true, stdio: 'ignore' });
pids.push(session.pid);
pids.push(await echoPid('sh', ['-c', 'sleep 62 >/dev/null 2>&1 & echo $!']));
pids.push(await echoPid('sh', ['-c', 'sleep 63 >/dev/null 2>&1 & echo $!'], { detached: true }));
const plain = spawn('sleep', ['64'], { stdio: 'ignore' });
pids.push(plain.pid);
session.unref();
plain.unref();
writeFileSync(`${file}.tmp`, `${pids.join('\n')}\n`);
renameSync(`${file}.tmp`, file);
if (stay) setInterval(() => undefined, 1_000);
