import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { examplesRunIn } from '../support/examples.js';

/** A port nobody listens on right now (the example's hosts take fixed ports, given to it by env). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function run(file: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('sh', [file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('shell examples of the README, run in this repository', () => {
  it('lists the ones this file runs', () => {
    expect(examplesRunIn('repository')).toEqual(['examples/two-hosts.sh']);
  });

  it('examples/two-hosts.sh: a Worker on host A is streamed through host B over the shared Redis, then removed', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const result = await run('examples/two-hosts.sh', { PORT_A: String(a), PORT_B: String(b), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"reason":"created"');
    expect(result.stdout).toContain('"reason":"committed"');
    // Host B serves host A's Worker stream, the whole run included.
    expect(result.stdout).toMatch(/event: observation\ndata: .*"event":\{"event":"user_message"/);
    expect(result.stdout).toMatch(/"event":\{"event":"run_end"/);
    expect(result.stdout).toContain('"reason":"removed"');
    expect(result.stdout.match(/SIGTERM: shutting down/g)).toHaveLength(2);
  }, 60_000);
});
