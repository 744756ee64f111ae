import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostConfigError, loadConfig } from '../../src/host/loadConfig.js';
import { eventually } from '../../src/testing/index.js';

// These run the built host (`npm test` builds dist/ first), as `npm start` does.
const MAIN = join(process.cwd(), 'dist/host/main.js');
const TOKEN = 'process-test-token-0123456789';
let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

function startProcess(args: string[], env: Record<string, string> = {}) {
  const output = { stdout: '', stderr: '' };
  child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output.stdout += chunk));
  child.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return { output, exited, process: child };
}

describe('the host process (npm start)', () => {
  it('starts on the embedded defaults and says where the console is and how to authenticate', async () => {
    const run = startProcess(['--port', '0']);
    expect(await eventually(() => run.output.stdout.includes('console:'), 10_000)).toBe(true);
    expect(run.output.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(run.output.stdout).toMatch(/API token \(generated for this start, shown once\): \S{20,}/);
    expect(run.output.stdout).toContain('default (no backend: Workers are unavailable placeholders)');
    run.process.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('on SIGTERM: streams get an end frame, live executions are stopped, the process exits 0 in time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-host-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 0 }, profiles: { demo: { backend: 'fake' } } }));
    const run = startProcess(['--config', file], { WORKER_RUNTIME_TOKEN: TOKEN });
    expect(await eventually(() => /listening on (\S+)/.test(run.output.stdout), 10_000)).toBe(true);
    const url = /listening on (\S+)/.exec(run.output.stdout)![1]!;
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${url}/v1/workers`, { method: 'POST', headers: auth, body: JSON.stringify({ workerId: 'w', profile: 'demo' }) });
    expect(created.status).toBe(201);
    await fetch(`${url}/v1/workers/w/input`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'user', content: 'stay busy #hold' }) });
    const stream = await fetch(`${url}/v1/workers/w/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const lifecycle = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const started = Date.now();
    run.process.kill('SIGTERM');
    const [code, streamText, lifecycleText] = await Promise.all([run.exited, stream.text(), lifecycle.text()]);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(streamText).toMatch(/event: end\ndata: \{"type":"end","reason":"shutdown"\}/);
    expect(lifecycleText).toContain('"state":"stopping"');
    expect(lifecycleText).toContain('"state":"stopped"');
    expect(lifecycleText).toMatch(/event: end\ndata: \{"type":"end","reason":"shutdown"\}/);
  });

  it('a bad config stops the start with a message naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-host-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 'eighty' }, profiles: { demo: { backend: 'warp-drive' } } }));
    const run = startProcess(['--config', file]);
    expect(await run.exited).toBe(2);
    expect(run.output.stderr).toContain('listen.port');
    expect(run.output.stderr).toContain('profiles.demo.backend');
  });
});

describe('loadConfig', () => {
  it('layers defaults, file, environment and flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-config-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 1111 }, token: 'file-token-000000000', log: { level: 'warn' } }));
    const config = loadConfig({ argv: ['--config', file, '--port', '2222'], env: { WORKER_RUNTIME_TOKEN: 'env-token-0000000000' } });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(config.token).toBe('env-token-0000000000');
    expect(config.log.level).toBe('warn');
    expect(config.profiles).toEqual({ default: { backend: null, displayName: 'No backend configured' } });
    expect(config.bus.kind).toBe('memory');
  });

  it.each([
    [['--nope'], 'invalid command line'],
    [['--port', 'abc'], '--port'],
    [['--config', '/nonexistent/file.json'], 'cannot read config file'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => loadConfig({ argv })).toThrow(HostConfigError);
    expect(() => loadConfig({ argv })).toThrow(message);
  });

  it('refuses a short token and names the field', () => {
    expect(() => loadConfig({ env: { WORKER_RUNTIME_TOKEN: 'short' } })).toThrow(/token: /);
  });
});
