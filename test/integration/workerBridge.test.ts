import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LifecycleItem } from '../../src/application/lifecycleFeed.js';
import { toBrowserFrame } from '../../src/domain/browserFrame.js';
import type { ObservationFrame, ObservationSubscription } from '../../src/domain/observation.js';
import { eventually, takeUntil } from '../../src/testing/index.js';
import { bridgeRuntime, eventsOf, isAlive, readInfo, runTurn, TEST_WORKER, testWorkerOptions } from '../support/bridgeWorkerFixture.js';

// The worker bridge end to end, against real test-worker subprocesses on real Unix sockets.
let current: ReturnType<typeof bridgeRuntime> | null = null;
const start = (...args: Parameters<typeof bridgeRuntime>) => (current = bridgeRuntime(...args));
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
});
const dir = mkdtempSync(join(tmpdir(), 'wr-bridge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const infoFile = () => join(dir, `info-${files++}.json`);
const gone = (pid: number) => eventually(() => !isAlive(pid), 5_000);

describe('WorkerBridgeExecutionBackend: relay', () => {
  it('relays a burst of 5,000 deltas exactly once, in order, with contiguous sequences', async () => {
    const { runtime, stored } = start();
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    for (let round = 0; round < 2; round++) {
      const { result, events, frames } = await runTurn(runtime, stored, 'w', 'go #burst:5000');
      expect(result).toMatchObject({ outcome: 'accepted', reason: 'committed' });
      const names = events.map((e) => e.event);
      expect(names.slice(0, 3)).toEqual(['invoke_start', 'user_message', 'turn_start']);
      expect(names.slice(-4)).toEqual(['text_done', 'turn_end', 'run_end', 'status']);
      const deltas = events.filter((e) => e.event === 'text_delta').map((e) => e.data?.text);
      expect(deltas).toEqual(Array.from({ length: 5_000 }, (_, i) => `c${i} `));
      const seq = frames.flatMap((f) => (f.type === 'observation' ? [f.observation.sequence] : []));
      expect(seq.every((s, i) => i === 0 || s === seq[i - 1]! + 1)).toBe(true);
    }
    const all = (await stored('w')).map((o) => o.event.event);
    expect(all.filter((n) => n === 'user_message')).toHaveLength(2);
    expect(all.filter((n) => n === 'text_delta')).toHaveLength(10_000);
    expect(all.filter((n) => n === 'snapshot')).toHaveLength(1);
    expect(runtime.get('w')?.state).toBe('idle');
  });

  it('alerts a worker sends on reconnect, before its reseed snapshot, are published (in order, before it), not dropped', async () => {
    const info = infoFile();
    const { runtime, stored } = start({ bridge: testWorkerOptions(['--info-file', info, '--alerts', '2', '--alert-text', 'disk almost full']) });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { pid } = await readInfo(info);
    expect(await eventually(() => runtime.get('w')?.state === 'idle', 5_000)).toBe(true);
    process.kill(pid, 'SIGUSR2'); // the worker drops every client: the link reconnects, the worker sends alerts then a snapshot
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable', 3_000)).toBe(true);
    expect(await eventually(() => runtime.get('w')?.state === 'idle', 5_000)).toBe(true);
    const names = (await stored('w')).map((o) => o.event.event);
    // Each connection: two alerts, then the snapshot.
    expect(names).toEqual(['alert', 'alert', 'snapshot', 'alert', 'alert', 'snapshot']);
  });

  it('a dropped connection: unavailable, reconnected, reseeded by the new snapshot without republishing history', async () => {
    const info = infoFile();
    const { runtime, stored } = start({ bridge: testWorkerOptions(['--info-file', info]) });
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { pid } = await readInfo(info);
    const lifecycle = runtime.lifecycle();
    expect((await runTurn(runtime, stored, 'w', 'first')).result.outcome).toBe('accepted');
    // Mid-run: the worker closes every connection (server side) and finishes the run while nobody listens.
    expect((await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: 'second #drop:100' }] })).outcome).toBe('accepted');
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable', 3_000)).toBe(true);
    expect(runtime.get('w')?.diagnostic?.code).toBe('worker_disconnected');
    expect(await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'text', content: 'x' }] })).toMatchObject({ reason: 'execution_unavailable' });
    expect(await eventually(() => runtime.get('w')?.state === 'idle', 5_000)).toBe(true);
    // Idle, then dropped again (SIGUSR2): reseeded once more.
    process.kill(pid, 'SIGUSR2');
    expect(await eventually(() => runtime.get('w')?.state === 'unavailable', 3_000)).toBe(true);
    expect(await eventually(() => runtime.get('w')?.state === 'idle', 5_000)).toBe(true);
    expect((await runTurn(runtime, stored, 'w', 'third')).result.outcome).toBe('accepted');

    const events = (await stored('w')).map((o) => o.event);
    const names = events.map((e) => e.event);
    expect(names.filter((n) => n === 'snapshot')).toHaveLength(3);
    expect(names.filter((n) => n === 'user_message')).toHaveLength(3);
    expect(names.filter((n) => n === 'invoke_start')).toHaveLength(3);
    const [, second, third] = events.filter((e) => e.event === 'snapshot');
    // The reseed carries the history in the snapshot's entries, not as republished events.
    expect((second?.data?.entries as unknown[]).length).toBe(4); // first: user + assistant; second: user + assistant
    expect((third?.data?.entries as unknown[]).length).toBe(4);
    const afterReseed = names.slice(names.indexOf('snapshot', 1) + 1, names.lastIndexOf('snapshot'));
    expect(afterReseed).toEqual([]);
    await runtime.shutdown();
    const changes = (await takeUntil(lifecycle as unknown as ObservationSubscription, (f) => f.type === 'end', 5_000)) as unknown as LifecycleItem[];
    const states = changes.flatMap((f) => (f.type === 'lifecycle' ? [f.change.worker.state] : []));
    expect(states.filter((s) => s === 'unavailable')).toHaveLength(2);
    expect(states.at(-1)).toBe('stopped');
    expect(await gone(pid)).toBe(true);
  });
});

describe('WorkerBridgeExecutionBackend: no orphans', () => {
  it('stop, a crash and Runtime shutdown leave no worker process and no runtime directory', async () => {
    const files = Array.from({ length: 4 }, infoFile);
    const { runtime } = start({
      a: testWorkerOptions(['--info-file', files[0]!]),
      b: testWorkerOptions(['--info-file', files[1]!]),
      c: testWorkerOptions(['--info-file', files[2]!]),
      stubborn: testWorkerOptions(['--info-file', files[3]!, '--ignore-shutdown', '--ignore-term'], { timeouts: { stopMs: 300, stopGraceMs: 300 } }),
    });
    for (const id of ['a', 'b', 'c', 'stubborn']) expect((await runtime.create({ workerId: id, profile: id })).result.outcome).toBe('accepted');
    const [a, b, c, stubborn] = await Promise.all(files.map(readInfo));
    for (const info of [a, b, c, stubborn]) expect(existsSync(dirname(info!.socket))).toBe(true);

    expect(await runtime.stop('a')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(await gone(a!.pid)).toBe(true);
    expect(existsSync(dirname(a!.socket))).toBe(false);

    expect(await runtime.submitInput('b', { kind: 'user', segments: [{ kind: 'text', content: 'now #crash' }] })).toMatchObject({ outcome: 'accepted' });
    expect(await eventually(() => runtime.get('b')?.diagnostic?.code === 'worker_exited')).toBe(true);
    expect(runtime.get('b')?.diagnostic).toMatchObject({ code: 'worker_exited', message: 'the worker exited unexpectedly (exit code 3)' });
    expect(await gone(b!.pid)).toBe(true);
    expect(await eventually(() => !existsSync(dirname(b!.socket)))).toBe(true);

    await runtime.submitInput('c', { kind: 'user', segments: [{ kind: 'text', content: 'busy at shutdown #hold' }] });
    await runtime.shutdown();
    for (const info of [c, stubborn]) {
      expect(await gone(info!.pid)).toBe(true);
      expect(existsSync(dirname(info!.socket))).toBe(false);
    }
    expect(runtime.get('stubborn')?.state).toBe('stopped');
  });
});

describe('WorkerBridgeExecutionBackend: nothing internal reaches a browser', () => {
  const SECRET = `Zq${randomBytes(9).toString('hex')}`;
  const secretDir = join(dir, `s-${SECRET}`);
  mkdirSync(join(secretDir, 'cwd'), { recursive: true });
  const node = join(secretDir, 'node');
  symlinkSync(process.execPath, node);

  it('no socket path, runtime directory, command path or cwd in results, projections, frames, snapshots or transcripts', async () => {
    const info = infoFile();
    const options = (args: string[], overrides: Parameters<typeof testWorkerOptions>[1] = {}) =>
      testWorkerOptions(['--alerts', '2', '--alert-text', 'listening on {socket}', ...args], { command: node, cwd: join(secretDir, 'cwd'), runtimeDirParent: secretDir, ...overrides });
    const { runtime, stored } = start(
      {
        live: options(['--info-file', info]),
        crash: options([]),
        missing: options([], { command: join(secretDir, 'missing') }),
        slow: options(['--listen-delay', '5000'], { timeouts: { startMs: 200 } }),
        exits: options(['--exit-at-start', '2']),
        silent: options(['--no-snapshot'], { timeouts: { connectMs: 200 } }),
        refused: { socketPath: join(secretDir, 'nobody.sock') },
      },
      { deadlines: { cancelMs: 4_000 } },
    );
    const outputs: unknown[] = [];
    const streams: Promise<ObservationFrame[]>[] = [];
    for (const id of ['live', 'crash', 'missing', 'slow', 'exits', 'silent', 'refused']) {
      outputs.push(await runtime.create({ workerId: id, profile: id }));
      const observed = runtime.observe(id);
      if (observed.ok) streams.push(takeUntil(observed.subscription, (f) => f.type === 'end', 30_000));
    }
    const { socket, cwd } = await readInfo(info);
    expect(socket).toContain(SECRET);
    expect(cwd).toContain(SECRET);
    for (const content of ['hello', '#garbage', '#refuse', '#env']) outputs.push((await runTurn(runtime, stored, 'live', content)).result);
    outputs.push(await runtime.snapshot('live'), await runtime.submitInput('live', { kind: 'user', segments: [{ kind: 'text', content: '#hold' }] }));
    outputs.push(await runtime.cancel('live'), await runtime.invokeMethod('live', { method: 'compact' }));
    outputs.push(await runtime.submitInput('crash', { kind: 'user', segments: [{ kind: 'text', content: '#crash' }] }));
    await eventually(() => runtime.get('crash')?.diagnostic?.code === 'worker_exited');
    outputs.push(await runtime.submitInput('crash', { kind: 'user', segments: [{ kind: 'text', content: 'x' }] }), await runtime.stop('live'));
    for (const id of ['live', 'crash', 'missing', 'slow', 'exits', 'silent', 'refused']) outputs.push(runtime.get(id), await runtime.transcript(id));
    outputs.push(runtime.list(), runtime.summary());
    const raw = (await stored('live')).map((o) => o.event);
    await runtime.shutdown();
    const frames = (await Promise.all(streams)).flat();

    expect(JSON.stringify(raw)).toContain(SECRET); // the worker itself sent its cwd and socket path (greeting, alerts, error)
    expect(frames.length).toBeGreaterThan(20);
    const browserBound = JSON.stringify([outputs, frames.map(toBrowserFrame), eventsOf(frames).length]);
    expect(browserBound).not.toContain(SECRET);
    expect(browserBound).not.toContain(dirname(socket));
    expect(browserBound).not.toContain(TEST_WORKER);
    expect(browserBound).not.toMatch(/\bpid\b/i);
  });
});
