import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WorkerBridgeExecutionBackend } from '../../src/adapters/workerBridge/workerBridgeExecutionBackend.js';
import type { WorkerBridgeProfileOptionsInput } from '../../src/adapters/workerBridge/workerBridgeOptions.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';
import type { ExecutionHandle } from '../../src/ports/executionBackendPort.js';
import { eventually } from '../../src/testing/index.js';
import { bridgeRuntime, readInfo, runTurn, testWorkerOptions } from '../support/bridgeWorkerFixture.js';

// The bridge against the wire, directly (a recording context) and through a Runtime: what it sends,
// what it publishes, how it reads the worker's answers.
const dir = mkdtempSync(join(tmpdir(), 'wr-bridge-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const infoFile = () => join(dir, `info-${files++}.json`);
const text = (content: string) => ({ kind: 'user' as const, segments: [{ kind: 'text' as const, content }] });

/** A context that records what the backend publishes and reports. */
function recordingContext() {
  const events: ProtocolEvent[] = [];
  const reports: string[] = [];
  const context: ExecutionContext = {
    worker: { runtimeId: 'local', workerId: 'wire' },
    runGeneration: 1,
    signal: new AbortController().signal,
    publish: async (event) => {
      events.push(event as ProtocolEvent);
      return { ok: true, sequence: events.length, cursor: String(events.length) };
    },
    reportLost: (why) => void reports.push(`lost:${why.code}`),
    reportRestored: (state) => void reports.push(`restored:${state}`),
  };
  return { context, events, reports };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const request = (options: WorkerBridgeProfileOptionsInput) => ({ profile: 'p', profileOptions: options, displayName: null });
async function spawned(options: WorkerBridgeProfileOptionsInput) {
  const backend = new WorkerBridgeExecutionBackend({ backendId: 'workerBridge' });
  cleanups.push(() => backend.dispose(AbortSignal.timeout(5_000)));
  const recorded = recordingContext();
  const result = await backend.spawn(request(options), recorded.context, AbortSignal.timeout(10_000));
  if (result.status !== 'ready') throw new Error(`spawn ${result.status}`);
  return { backend, handle: result.handle as ExecutionHandle, state: result.state, ...recorded };
}

describe('WorkerBridgeExecutionBackend: the wire', () => {
  it('publishes the alerts, then the snapshot, before answering ready; snapshot() drops the greeting cwd', async () => {
    const { backend, handle, events, state } = await spawned(testWorkerOptions(['--alerts', '2']));
    expect(events.map((e) => e.event)).toEqual(['alert', 'alert', 'snapshot']);
    expect(state).toBe('idle');
    expect((events[2]?.data?.greeting as Record<string, unknown>).cwd).toBe(process.cwd()); // published as received
    const snap = await backend.snapshot(handle);
    expect(snap.status === 'ready' && snap.snapshot.greeting).toEqual({ worker_name: 'bridge-test-worker', provider: 'test', model: 'scripted', tools: [] });
  });

  it('a worker answering already_running makes input busy; sends run / notify / cancel as the protocol says', async () => {
    const { backend, handle, events } = await spawned(testWorkerOptions());
    const held = await backend.dispatchInput(handle, text('#hold'), 'sub-1', AbortSignal.timeout(5_000));
    expect(held).toEqual({ status: 'accepted', submissionId: 'sub-1', state: 'busy' });
    expect(await backend.dispatchInput(handle, text('another'), 'sub-2', AbortSignal.timeout(5_000))).toMatchObject({ status: 'busy' });
    expect(events.filter((e) => e.event === 'error').map((e) => e.data?.code)).toEqual(['already_running']);
    expect(await backend.cancel(handle, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
    expect(events.slice(-3).map((e) => e.event)).toEqual(['turn_end', 'run_end', 'status']);
    const quiet = await backend.dispatchInput(handle, { kind: 'notify', message: 'note', autoRun: false }, 'sub-3', AbortSignal.timeout(5_000));
    expect(quiet).toEqual({ status: 'accepted', submissionId: 'sub-3', state: 'idle' });
    expect(events.at(-1)).toEqual({ event: 'system_item', data: { item: { kind: 'notification', message: 'note' } } });
    const loud = await backend.dispatchInput(handle, { kind: 'notify', message: 'wake up' }, 'sub-4', AbortSignal.timeout(5_000));
    expect(loud).toMatchObject({ status: 'accepted', submissionId: 'sub-4' });
    await eventually(() => events.at(-1)?.event === 'status');
    expect(events.filter((e) => e.event === 'user_message')).toHaveLength(1); // notify commits as a system_item
    expect(await backend.dispatchMethod(handle, { method: 'compact' }, AbortSignal.timeout(5_000))).toEqual({ status: 'done' });
    await eventually(() => events.at(-1)?.event === 'compact_done');
  });

  it('gives the worker a 0700 runtime directory, its socket by env and {socket}, PATH plus allow-listed variables and the tree marker only', async () => {
    process.env.BRIDGE_TEST_ALLOWED = 'yes';
    process.env.BRIDGE_TEST_HIDDEN = 'no';
    const info = infoFile();
    const { runtime, stored } = bridgeRuntime({ bridge: testWorkerOptions(['--socket', '{socket}', '--info-file', info], { envAllowList: ['BRIDGE_TEST_ALLOWED'] }) });
    cleanups.push(() => runtime.shutdown());
    await runtime.create({ workerId: 'w', profile: 'bridge' });
    const { socket } = await readInfo(info);
    expect(statSync(dirname(socket)).mode & 0o777).toBe(0o700);
    expect(statSync(socket).isSocket()).toBe(true);
    const { events } = await runTurn(runtime, stored, 'w', '#env');
    expect(events.find((e) => e.event === 'text_done')?.data?.text).toBe('BRIDGE_TEST_ALLOWED,PATH,WORKER_RUNTIME_TREE,YOI_WORKER_SOCKET');
  });

  it('attaches to a running worker by socketPath: busy from its snapshot, restorable; a started worker is not', async () => {
    const info = infoFile();
    const { runtime, stored } = bridgeRuntime({ owner: testWorkerOptions(['--info-file', info]) });
    cleanups.push(() => runtime.shutdown());
    await runtime.create({ workerId: 'owner', profile: 'owner' });
    const { socket, pid } = await readInfo(info);
    await runtime.submitInput('owner', text('#hold'));
    const attached = { socketPath: socket, reconnect: { initialDelayMs: 10 } };
    const { backend, state, events, handle, reports } = await spawned(attached);
    expect(state).toBe('busy');
    expect(events.at(-1)?.data?.status).toBe('running');
    expect(await backend.dispatchInput(handle, text('me too'), 'sub-1', AbortSignal.timeout(5_000))).toMatchObject({ status: 'busy' });
    const again = recordingContext();
    const restored = await backend.restore(request(attached) as never, again.context, AbortSignal.timeout(5_000));
    expect(restored).toMatchObject({ status: 'ready', state: 'busy' });
    expect(again.events.map((e) => e.event)).toEqual(['snapshot']);
    const started = await backend.restore(request(testWorkerOptions()) as never, again.context, AbortSignal.timeout(5_000));
    expect(started).toEqual({ status: 'unsupported' });
    process.kill(pid, 'SIGUSR2'); // the worker drops every client: the attached link reconnects and reseeds
    expect(await eventually(() => reports.length === 2)).toBe(true);
    expect(reports).toEqual(['lost:worker_disconnected', 'restored:busy']);
    expect(events.filter((e) => e.event === 'snapshot')).toHaveLength(2);
    let reseeded = false;
    for (const began = Date.now(); !reseeded && Date.now() - began < 5_000; ) {
      reseeded = (await stored('owner')).filter((o) => o.event.event === 'snapshot').length === 2 && runtime.get('owner')?.state === 'busy';
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(reseeded).toBe(true);
    expect(await runtime.cancel('owner')).toMatchObject({ outcome: 'accepted' });
    await eventually(() => events.at(-1)?.event === 'status' && events.at(-1)?.data?.status === 'idle'); // the attached link saw it too
    if (restored.status === 'ready') await backend.stop(restored.handle, AbortSignal.timeout(5_000));
  });
});
