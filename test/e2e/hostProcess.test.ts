import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';

// These run the built host (`npm test` builds dist/ first), as `npm start` and `npx worker-runtime` do.
const MAIN = join(process.cwd(), 'dist/host/main.js');
const TOKEN = 'process-test-token-0123456789';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** An empty PATH entry of our own, so that no agent installed on this machine is detected. */
const NO_AGENTS = mkdtempSync(join(tmpdir(), 'wr-path-'));

function startProcess(args: string[], env: Record<string, string> = {}) {
  const output = { stdout: '', stderr: '' };
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: NO_AGENTS, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (chunk) => (output.stdout += chunk));
  child.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output, exited, process: child };
}

const banner = (run: ReturnType<typeof startProcess>) => eventually(() => run.output.stdout.includes('profiles:'), 10_000);

describe('the host process (npm start)', () => {
  it('starts on the embedded defaults and says where the console is, how to authenticate and what to do next', async () => {
    const run = startProcess(['--port', '0']);
    expect(await banner(run)).toBe(true);
    expect(run.output.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(run.output.stdout).toMatch(/console: http:\/\/127\.0\.0\.1:\d+\/#token=\S{20,}/);
    expect(run.output.stdout).toMatch(/API token \(generated for this start, shown once\): \S{20,}/);
    expect(run.output.stdout).toMatch(/\n {2}default {2}no backend: Workers are unavailable placeholders\n/);
    expect(run.output.stdout).toContain('next step: no ACP agent found on PATH (looked for gemini, claude-agent-acp');
    expect(run.output.stdout).toContain('--config examples/host-fake.json');
    expect(run.output.stderr).toBe('');
    run.process.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  // The handlers used to be installed after the banner: a signal in between killed the process.
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s sent as soon as the host writes anything shuts it down cleanly (exit 0)', async (signal) => {
    const run = startProcess(['--port', '0', '--log-level', 'silent']);
    run.process.stdout!.once('data', () => run.process.kill(signal));
    expect(await run.exited).toBe(0);
    expect(run.output.stdout).toContain(`${signal}: shutting down`);
  });

  it('on SIGTERM: streams get an end frame, live executions are stopped, the process exits 0 in time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-host-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 0 }, profiles: { demo: { backend: 'fake' } } }));
    const run = startProcess(['--config', file], { WORKER_RUNTIME_TOKEN: TOKEN });
    expect(await banner(run)).toBe(true);
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

  it('a reader that went away (stdout piped into head) does not crash the shutdown with EPIPE', async () => {
    const run = startProcess(['--port', '0']);
    expect(await banner(run)).toBe(true);
    run.process.stdout!.destroy();
    run.process.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it('a bad config stops the start with a message naming every bad field, an unknown backend included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-host-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 'eighty' }, profiles: { demo: { backend: 'warp-drive' }, agent: { backend: 'acp' } } }));
    const run = startProcess(['--config', file]);
    expect(await run.exited).toBe(2);
    expect(run.output.stderr).toContain('listen.port');
    expect(run.output.stderr).toMatch(/profiles\.demo\.backend: no backend "warp-drive" is bound; built-in: fake, acp, workerBridge/);
    // Profile options are checked at start, not when a Worker is created.
    expect(run.output.stderr).toContain('profiles.agent.options');
  });

  it('--log-level verbose is refused naming the flag and the accepted levels', async () => {
    const run = startProcess(['--log-level', 'verbose']);
    expect(await run.exited).toBe(2);
    expect(run.output.stderr).toContain('log.level (from --log-level)');
    expect(run.output.stderr).toContain('"debug"');
    expect(run.output.stderr).not.toContain('(defaults)');
  });

  it('--help and --version answer without starting anything', async () => {
    const help = startProcess(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output.stdout).toMatch(/^Usage: worker-runtime \[options\]/);
    for (const flag of ['--config', '--host', '--port', '--log-level', '--log-format', '--memory-budget', '--no-detect', 'WORKER_RUNTIME_TOKEN', 'WORKER_RUNTIME_MEMORY_BUDGET']) {
      expect(help.output.stdout).toContain(flag);
    }
    const version = startProcess(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.output.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--host 0.0.0.0 says so, links the console on loopback and warns that the API is exposed', async () => {
    const run = startProcess(['--host', '0.0.0.0', '--port', '0']);
    expect(await banner(run)).toBe(true);
    expect(run.output.stdout).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+ \(every network interface\)/);
    expect(run.output.stdout).toMatch(/console: http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(run.output.stderr).toMatch(/warning: the API is exposed beyond this machine \(listening on 0\.0\.0\.0\)/);
    run.process.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('with WORKER_RUNTIME_TOKEN set, the console link carries no placeholder and the token is never printed', async () => {
    const run = startProcess(['--port', '0'], { WORKER_RUNTIME_TOKEN: TOKEN });
    expect(await banner(run)).toBe(true);
    expect(run.output.stdout).toMatch(/console: http:\/\/127\.0\.0\.1:\d+\/ \(sign in with the token you configured\)/);
    expect(run.output.stdout).not.toContain('#token=');
    expect(run.output.stdout + run.output.stderr).not.toContain(TOKEN);
    run.process.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  describe('ACP agents on PATH', () => {
    const bin = mkdtempSync(join(tmpdir(), 'wr-agents-'));
    for (const name of ['gemini', 'codex-acp']) {
      writeFileSync(join(bin, name), '#!/bin/sh\nexit 1\n');
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(bin, 'opencode'), 'not executable');

    it('each becomes a profile, labelled with what it is and what it needs; the placeholder goes', async () => {
      const run = startProcess(['--port', '0'], { PATH: bin, GEMINI_API_KEY: 'planted-secret-value-123' });
      expect(await banner(run)).toBe(true);
      expect(run.output.stdout).toMatch(/\n {2}gemini {2}acp: Gemini CLI \(ACP agent, detected on PATH\); needs a Gemini CLI login \(run `gemini` once\) or GEMINI_API_KEY/);
      expect(run.output.stdout).toMatch(/\n {2}codex {3}acp: Codex \(ACP adapter, detected on PATH\); needs .*OPENAI_API_KEY/);
      expect(run.output.stdout).not.toMatch(/opencode|default|next step/);
      expect(run.output.stdout + run.output.stderr).not.toContain('planted-secret-value-123');
      run.process.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    });

    it('--no-detect keeps the placeholder and says detection is off', async () => {
      const run = startProcess(['--port', '0', '--no-detect'], { PATH: bin });
      expect(await banner(run)).toBe(true);
      expect(run.output.stdout).toContain('default  no backend');
      expect(run.output.stdout).toContain('next step: agent detection is off (--no-detect)');
      expect(run.output.stdout).not.toContain('gemini');
      run.process.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    });

    it('profiles from a config file always win', async () => {
      const run = startProcess(['--port', '0', '--config', 'examples/host-fake.json'], { PATH: bin });
      expect(await banner(run)).toBe(true);
      expect(run.output.stdout).toContain('scripted  fake: Scripted fake backend');
      expect(run.output.stdout).not.toContain('gemini');
      run.process.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    });
  });
});
