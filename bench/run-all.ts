/**
 * Runs every benchmark in its own child process (fresh heap and JIT each), in sequence, then prints a
 * summary of all rows that have a target. Always exits 0: benchmarks report, they do not gate.
 * A script that crashes or fails a sanity check is reported as such.
 *
 * Run: npm run bench   (compiles bench/ to .bench-js/ and runs it with plain node on dist/)
 *      npm run bench -- publish sse   (only the scripts whose names start with these words)
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseResultLine, type Row } from './lib.js';

const SCRIPTS: readonly { file: string; nodeFlags: readonly string[] }[] = [
  { file: 'dispatch.js', nodeFlags: [] },
  { file: 'publish.js', nodeFlags: [] },
  { file: 'resume.js', nodeFlags: [] },
  { file: 'idleWorkers.js', nodeFlags: ['--expose-gc'] },
  { file: 'memoryBudget.js', nodeFlags: ['--expose-gc'] },
  { file: 'hostInput.js', nodeFlags: [] },
  { file: 'sseFanout.js', nodeFlags: ['--expose-gc'] },
  { file: 'acpRelay.js', nodeFlags: [] },
  { file: 'bridgeRelay.js', nodeFlags: [] },
  { file: 'redisPublish.js', nodeFlags: [] },
  { file: 'queueDrain.js', nodeFlags: [] },
];

function run(file: string, nodeFlags: readonly string[]): Promise<{ code: number | null; rows: (Row & { bench: string })[]; seconds: number }> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rows: (Row & { bench: string })[] = [];
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const row = parseResultLine(line);
        if (row) rows.push(row);
        else console.log(line);
      }
    });
    child.on('close', (code) => {
      if (buffered) console.log(buffered);
      resolve({ code, rows, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`worker-runtime benchmarks — node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform}/${process.arch}`);
console.log(`load average before: ${load()} (figures are only comparable on an otherwise idle machine)`);
const summary: (Row & { bench: string })[] = [];
const broken: string[] = [];
const only = process.argv.slice(2).map((w) => w.toLowerCase());
const chosen = SCRIPTS.filter(({ file }) => only.length === 0 || only.some((w) => file.toLowerCase().startsWith(w)));
for (const { file, nodeFlags } of chosen) {
  const { code, rows, seconds } = await run(file, nodeFlags);
  console.log(`  (${file}: ${seconds.toFixed(1)} s, exit ${code}, load average after: ${load()})`);
  if (code !== 0) broken.push(`${file} exited with ${code}`);
  summary.push(...rows.filter((r) => r.pass !== null));
}

console.log('\n## Summary\n');
for (const r of summary) {
  console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.measurement.trim()}: ${r.figure} (baseline ${r.baseline}${r.ratio ? `, ${r.ratio}` : ''}; target ${r.target})`);
}
for (const b of broken) console.log(`ERROR ${b}`);
const failed = summary.filter((r) => !r.pass).length;
console.log(`\n${summary.length - failed} of ${summary.length} targets met${broken.length ? `, ${broken.length} script(s) failed to run` : ''}.`);
process.exit(0);
