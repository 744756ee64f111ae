// Time from command to "listening on" for `npm start` with dist/ already built, against the host
// started directly (the same work without npm and the freshness check) and the former `npm start`
// (a full tsc build, then the host). Prints medians in ms. Usage: node scripts/measure-start.mjs [trials]
import { spawn } from 'node:child_process';

const trials = Number(process.argv[2] ?? 5);
const host = ['--port', '0', '--no-detect', '--log-level', 'warn'];

function ready(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('listening on')) return;
      const ms = performance.now() - started;
      child.once('exit', () => resolve(ms));
      process.kill(-child.pid, 'SIGTERM');
    });
    child.once('error', reject);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cases = [
  ['npm start (dist fresh)', 'npm', ['start', '--silent', '--', ...host], trials],
  ['node dist/host/main.js (baseline)', process.execPath, ['dist/host/main.js', ...host], trials],
  ['former npm start (full tsc build, then host)', 'sh', ['-c', `npx tsc -p tsconfig.build.json --incremental false --tsBuildInfoFile null && node dist/host/main.js ${host.join(' ')}`], 1],
];
await ready('npm', ['start', '--silent', '--', ...host]); // builds first if anything is stale
for (const [name, command, args, n] of cases) {
  const times = [];
  for (let i = 0; i < n; i++) times.push(await ready(command, args));
  console.log(`${name.padEnd(42)} ${median(times).toFixed(0).padStart(6)} ms  (median of ${n})`);
}
