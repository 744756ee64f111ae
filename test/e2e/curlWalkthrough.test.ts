import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';

// The README's curl walkthrough is a script (examples/curl-walkthrough.sh) run here against a real
// host process started as the README says, on the example config with the scripted fake backend.
const SCRIPT = join(process.cwd(), 'examples/curl-walkthrough.sh');
const TOKEN = 'walkthrough-token-0123456789';
const hasCurl = spawnSync('curl', ['--version']).status === 0;
const inCi = Boolean(process.env.CI);
if (!hasCurl && !inCi) console.warn('curl walkthrough test skipped: curl is not installed (it fails instead when CI is set)');

let host: ChildProcess | null = null;
afterEach(() => {
  host?.kill('SIGKILL');
  host = null;
});

describe('the curl walkthrough (examples/curl-walkthrough.sh)', () => {
  it.skipIf(!hasCurl && !inCi)('runs every step against a real host: create, stream, input, cancel, transcript, stop, remove', async () => {
    if (!hasCurl) throw new Error('curl is not installed; the walkthrough test cannot run without it');
    host = spawn(process.execPath, [join(process.cwd(), 'dist/host/main.js'), '--config', 'examples/host-fake.json', '--port', '0'], {
      env: { PATH: process.env.PATH, WORKER_RUNTIME_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    host.stdout!.on('data', (chunk) => (out += chunk));
    expect(await eventually(() => /listening on (http:\/\/\S+)/.test(out), 10_000)).toBe(true);
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;

    const run = spawn('bash', [SCRIPT], { env: { PATH: process.env.PATH, WORKER_RUNTIME_URL: url, WORKER_RUNTIME_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    run.stdout!.on('data', (chunk) => (stdout += chunk));
    run.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const statuses = [...stdout.matchAll(/^< (\d{3}) /gm)].map((m) => Number(m[1]));
    expect(statuses).toEqual([201, 202, 202, 409, 202, 200, 202, 202, 404]);
    expect(stdout).toContain('"reason":"cancelled"');
    expect(stdout).toContain('"kind":"assistant"');
    expect(stdout).toMatch(/\d+ event: observation/);
    expect(stdout).toMatch(/1 event: end/);
  });
});
