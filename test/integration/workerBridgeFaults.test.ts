import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';
import { bridgeRuntime, isAlive, readInfo, runTurn, testWorkerOptions } from '../support/bridgeWorkerFixture.js';

// Faults of real worker subprocesses: failed starts, crashes, garbage, missing or refused commits,
// ignored cancel and shutdown; and that no worker process outlives any of it.
let current: ReturnType<typeof bridgeRuntime> | null = null;
const start = (...args: Parameters<typeof bridgeRuntime>) => (current = bridgeRuntime(...args));
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
});
const dir = mkdtempSync(join(tmpdir(), 'wr-bridge-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (name: string) => join(dir, `${name}-${files++}`);
const pidIn = (path: string) => (existsSync(path) ? Number(readFileSync(path, 'utf8')) : null);
const gone = (pid: number | null) => eventually(() => pid === null || !isAlive(pid), 5_000);
const text = (content: string) => ({ kind: 'user' as const, segments: [{ kind: 'text' as const, content }] });

describe('WorkerBridgeExecutionBackend: failed starts', () => {
  it('each failure leaves the Worker unavailable with a typed diagnostic, no path, no process', async () => {
    const pids = { slow: file('pid'), exits: file('pid'), silent: file('pid') };
    const notASocket = file('plain');
    writeFileSync(notASocket, 'not a socket');
    const { runtime } = start({
      quick: testWorkerOptions(['--listen-delay', '150']),
      slow: testWorkerOptions(['--listen-delay', '10000', '--pid-file', pids.slow], { timeouts: { startMs: 300 } }),
      exits: testWorkerOptions(['--exit-at-start', '2', '--pid-file', pids.exits]),
      silent: testWorkerOptions(['--no-snapshot', '--pid-file', pids.silent], { timeouts: { connectMs: 300 } }),
      missing: testWorkerOptions([], { command: join(dir, 'no-such-worker') }),
      nocwd: testWorkerOptions([], { cwd: join(dir, 'no-such-dir') }),
      nobody: { socketPath: join(dir, 'nobody.sock') },
      refused: { socketPath: notASocket },
      invalid: { command: 'x', socketPath: '/tmp/x.sock' } as never,
      badtimeout: testWorkerOptions([], { timeouts: { startMs: -1 } }),
    });
    expect((await runtime.create({ workerId: 'quick', profile: 'quick' })).result).toMatchObject({ outcome: 'accepted', state: 'idle' });
    const expected: Record<string, [string, RegExp]> = {
      slow: ['worker_start_timeout', /did not accept connections within 300 ms/],
      exits: ['worker_exited', /exited before it accepted connections \(exit code 2\)/],
      silent: ['worker_snapshot_timeout', /no snapshot within 300 ms/],
      missing: ['worker_command_not_found', /not found/],
      nocwd: ['worker_cwd_unavailable', /working directory/],
      nobody: ['worker_connect_refused', /no worker is listening/],
      refused: ['worker_connect_refused', /refused/],
      invalid: ['worker_bridge_options_invalid', /options at options: unrecognized_keys/],
      badtimeout: ['worker_bridge_options_invalid', /options at timeouts\.startMs: too_small/],
    };
    for (const [id, [code, message]] of Object.entries(expected)) {
      const { result, worker } = await runtime.create({ workerId: id, profile: id });
      expect(result.outcome, id).toBe('rejected');
      expect(worker?.state).toBe('unavailable');
      expect(worker?.diagnostic?.code, id).toBe(code);
      expect(worker?.diagnostic?.message).toMatch(message);
      expect(worker?.diagnostic?.message).not.toContain(dir);
      expect(await runtime.submitInput(id, text('x'))).toMatchObject({ outcome: 'rejected', reason: 'execution_unavailable' });
    }
    for (const path of Object.values(pids)) expect(await gone(pidIn(path))).toBe(true);
  });
});

describe('WorkerBridgeExecutionBackend: faults while running', () => {
  it('a crash mid-run keeps the events before it, adds none, and leaves the Worker unavailable (exit code); others untouched', async () => {
    const info = file('info');
    const { runtime, stored } = start({ bridge: testWorkerOptions(['--info-file', info]), plain: testWorkerOptions() });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    await runtime.create({ workerId: 'other', profile: 'plain' });
    const { pid } = await readInfo(info);
    expect(await runtime.submitInput('w', text('now #crash'))).toMatchObject({ outcome: 'accepted' });
    expect(await eventually(() => runtime.get('w')?.diagnostic?.code === 'worker_exited')).toBe(true);
    expect(runtime.get('w')?.diagnostic).toMatchObject({ code: 'worker_exited', message: 'the worker exited unexpectedly (exit code 3)' });
    const names = (await stored('w')).map((o) => o.event.event);
    expect(names).toEqual(['snapshot', 'invoke_start', 'user_message', 'turn_start', 'text_delta']);
    expect(await gone(pid)).toBe(true);
    expect(runtime.get('other')?.state).toBe('idle');
    expect((await runTurn(runtime, stored, 'other', 'still there?')).result.outcome).toBe('accepted');
  });

  it('malformed lines become error events (code internal) in their place; the connection stays open and the run completes', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { result, events } = await runTurn(runtime, stored, 'w', 'go #garbage');
    expect(result.outcome).toBe('accepted');
    const names = events.map((e) => e.event);
    expect(names).toEqual(['invoke_start', 'user_message', 'turn_start', 'text_delta', 'error', 'error', 'error', 'error', 'text_delta', 'text_delta', 'text_done', 'turn_end', 'run_end', 'status']);
    const errors = events.filter((e) => e.event === 'error').map((e) => e.data);
    expect(errors.map((d) => d?.code)).toEqual(['invalid_event', 'invalid_event', 'invalid_event', 'invalid_event']);
    expect(errors.map((d) => d?.message)).toEqual([
      'the worker sent a line that is not JSON; it was skipped',
      'the worker sent a line that is not a protocol event; it was skipped',
      'the worker sent a line that is not a protocol event; it was skipped',
      'the worker sent a text_delta event that does not match the protocol; it was skipped',
    ]);
    expect(runtime.get('w')?.state).toBe('idle');
    expect((await runTurn(runtime, stored, 'w', 'again')).result.outcome).toBe('accepted');
  });

  it('no commit within ackMs is rejected (never accepted); a refusal is rejected with its code; the Worker stays usable', async () => {
    const { runtime, stored } = start({ bridge: testWorkerOptions([], { timeouts: { ackMs: 300 } }) });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    expect(await runtime.submitInput('w', text('ignore me #noack'))).toMatchObject({
      outcome: 'rejected',
      reason: 'backend_rejected',
      diagnostic: { code: 'worker_ack_timeout' },
    });
    expect(await runtime.submitInput('w', text('#refuse'))).toMatchObject({
      outcome: 'rejected',
      diagnostic: { code: 'worker_input_refused', message: 'the worker refused the input (invalid_request)' },
    });
    expect(runtime.get('w')?.state).toBe('idle');
    expect((await runTurn(runtime, stored, 'w', 'fine')).result.outcome).toBe('accepted');
  });

  it('cancel that the worker ignores: rejected before the Runtime deadline, the started worker is stopped, the Worker unavailable', async () => {
    const info = file('info');
    const { runtime } = start({ bridge: testWorkerOptions(['--info-file', info], { timeouts: { cancelMs: 400 } }) }, { deadlines: { cancelMs: 3_000 } });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { pid } = await readInfo(info);
    await runtime.submitInput('w', text('#ignore-cancel'));
    const began = Date.now();
    const result = await runtime.cancel('w');
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'backend_rejected', diagnostic: { code: 'worker_cancel_timeout' } });
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable')).toBe(true);
    expect(runtime.get('w')?.diagnostic?.code).toBe('worker_cancel_timeout');
    expect(await gone(pid)).toBe(true);
  });

  it('stop escalates: shutdown ignored, SIGTERM ignored, then SIGKILL; done within the deadlines', async () => {
    const info = file('info');
    const { runtime } = start({ bridge: testWorkerOptions(['--info-file', info, '--ignore-shutdown', '--ignore-term'], { timeouts: { stopMs: 200, stopGraceMs: 200 } }) });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { pid } = await readInfo(info);
    const began = Date.now();
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(350);
    expect(await gone(pid)).toBe(true);
  });

  it('a worker that never reseeds after a drop: reconnect gives up after maxAttempts, the started worker is stopped, the Worker stays unavailable', async () => {
    const info = file('info');
    const { runtime } = start({
      bridge: testWorkerOptions(['--info-file', info, '--snapshot-once'], { timeouts: { connectMs: 150 }, reconnect: { initialDelayMs: 10, maxAttempts: 2 } }),
    });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { pid, socket } = await readInfo(info);
    process.kill(pid, 'SIGUSR2');
    expect(await eventually(() => runtime.get('w')?.diagnostic?.code === 'worker_reconnect_failed', 5_000)).toBe(true);
    expect(runtime.get('w')?.state).toBe('unavailable');
    expect(await gone(pid)).toBe(true);
    expect(await eventually(() => !existsSync(dirname(socket)))).toBe(true);
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
  });
});
