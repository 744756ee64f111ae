/**
 * Benchmark: the worker bridge's relay, from a worker's Unix socket to a bus subscriber.
 *
 * Relay: the scripted test worker (test/support/bridgeTestWorker.mjs, a real subprocess started by
 * the bridge) answers one `run` with N `text_delta` lines written as one block, built once per N (so
 * the reading side, not the worker, is the bottleneck). Measured from `submitInput` until a bus
 * subscriber of the Worker has received all N deltas (each checked, in order): line framing, JSON,
 * the publish hook's validation, the memory bus, the subscriber. Baseline, in the same run: another
 * test-worker process with the same stream, read by a bare JSONL socket reader (split lines,
 * `JSON.parse`, count), from writing `run` until all N deltas were parsed.
 * Informational: the same N events handed to an execution context one by one in process (no socket,
 * no framing: the publish hook, bus and subscriber alone, through the fake backend), which bounds
 * what any backend can relay; and spawn-to-ready (`create()` until connected: process start, socket,
 * snapshot).
 *
 * Run: npm run bench -- bridge
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fakeBackendModule, FakeExecutionBackend } from 'worker-runtime/testing';
import { workerBridgeBackendModule } from 'worker-runtime/worker-bridge';
import { createRuntimeContainer, WorkerRuntime } from 'worker-runtime';
import { median, ms, now, perSecond, ratio, report, sanity, type Row } from './lib.js';
import { inProcessPublish, reader, relayRun } from './relayCommon.js';

const DELTAS = 50_000;
const TRIALS = 5;
const SPAWNS = 7;
const TARGET = 0.8;
const TEST_WORKER = fileURLToPath(new URL('../test/support/bridgeTestWorker.mjs', import.meta.url));
/** This process's CPU time in µs (user + system): the host's cost, whatever the other processes on the machine do. */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const prompt = (n: number) => `go #burst:${n}`;

function runtimeFor(fake?: FakeExecutionBackend): WorkerRuntime {
  return createRuntimeContainer({
    runtime: {
      profiles: {
        bridge: { backend: 'workerBridge', options: { command: process.execPath, args: [TEST_WORKER] } },
        fake: { backend: 'fake' },
      },
      deadlines: { spawnMs: 30_000, dispatchMs: 10_000 },
    },
    memoryBus: { retentionPerWorker: DELTAS + 100, subscriberQueue: DELTAS + 100 },
    backends: [workerBridgeBackendModule(), ...(fake ? [fakeBackendModule(fake)] : [])],
  }).get(WorkerRuntime);
}

/** The in-process bound: the same events through a Worker's context, no agent process. */
function inProcess(n: number) {
  const fake = new FakeExecutionBackend({ backendId: 'fake' });
  return inProcessPublish(runtimeFor(fake), fake, n);
}

/** A second worker process with the same stream, read by a bare JSONL socket reader. */
async function bareWorker(dir: string) {
  const socketPath = join(dir, 'bare.sock');
  const child = spawn(process.execPath, [TEST_WORKER, '--socket', socketPath], { stdio: 'ignore' });
  let socket = createConnection({ path: socketPath });
  for (let tries = 0; ; tries++) {
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (ok) break;
    sanity(tries < 500, 'the bare worker did not listen');
    await new Promise((resolve) => setTimeout(resolve, 10));
    socket = createConnection({ path: socketPath });
  }
  let onLine: (event: { event: string; data?: { text?: string; status?: string } }) => void = () => undefined;
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line !== '') onLine(JSON.parse(line));
  });
  const run = (n: number) =>
    new Promise<number>((resolve) => {
      let received = 0;
      let elapsed = 0;
      const start = now();
      onLine = (event) => {
        if (event.event === 'text_delta') {
          sanity(event.data?.text === `c${received} `, `bare delta ${received} out of order`);
          if (++received === n) elapsed = now() - start;
        }
        if (event.event === 'status' && event.data?.status === 'idle' && received === n) resolve(n / (elapsed / 1000));
      };
      socket.write(`${JSON.stringify({ method: 'run', params: { input: [{ kind: 'text', content: prompt(n) }] } })}\n`);
    });
  return { run, close: () => (socket.destroy(), child.kill('SIGKILL')) };
}

async function spawnToReady(): Promise<number[]> {
  const runtime = runtimeFor();
  const times: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const start = now();
    const { result } = await runtime.create({ workerId: `spawn-${i}`, profile: 'bridge' });
    times.push(now() - start);
    sanity(result.outcome === 'accepted', `create ${result.reason}`);
    await runtime.stop(`spawn-${i}`);
  }
  await runtime.shutdown();
  return times;
}

const dir = mkdtempSync(join(tmpdir(), 'wr-bench-bridge-'));
const runtime = runtimeFor();
const { result } = await runtime.create({ workerId: 'relay', profile: 'bridge' });
sanity(result.outcome === 'accepted', `create ${result.reason}`);
const observed = runtime.observe('relay', { queueLimit: 10 * DELTAS });
sanity(observed.ok, 'observe');
const next = reader(observed.subscription);
const bare = await bareWorker(dir);
const local = await inProcess(DELTAS);
await relayRun(runtime, next, DELTAS, prompt(DELTAS)); // warm-up (and the worker builds its block)
await bare.run(DELTAS);
await local.run();
const relayRates: number[] = [];
const bareRates: number[] = [];
const localRates: number[] = [];
const cpu = { relay: [] as number[], bare: [] as number[], local: [] as number[] };
/** Runs one trial, keeping its rate and this process's CPU per event. */
async function trial(rates: number[], cpus: number[], run: () => Promise<number>): Promise<void> {
  const before = cpuNow();
  rates.push(await run());
  cpus.push((cpuNow() - before) / DELTAS);
}
for (let t = 0; t < TRIALS; t++) {
  await trial(relayRates, cpu.relay, () => relayRun(runtime, next, DELTAS, prompt(DELTAS)));
  await trial(bareRates, cpu.bare, () => bare.run(DELTAS));
  await trial(localRates, cpu.local, () => local.run());
}
bare.close();
await local.close();
await runtime.shutdown();
rmSync(dir, { recursive: true, force: true });
const spawns = await spawnToReady();

const [relayRate, bareRate, localRate] = [median(relayRates), median(bareRates), median(localRates)];
const rows: Row[] = [
  {
    measurement: `worker bridge relay, ${DELTAS / 1000}k deltas to a bus subscriber`,
    figure: perSecond(relayRate, 'events'),
    baseline: `${perSecond(bareRate, 'events')} bare JSONL socket reader`,
    ratio: `${ratio(relayRate / bareRate)} of bare`,
    target: `>= ${TARGET}x bare`,
    pass: relayRate / bareRate >= TARGET,
  },
  {
    measurement: '  bound: the same events published in process (hook + bus + subscriber)',
    figure: perSecond(localRate, 'events'),
    baseline: '',
    ratio: `relay ${ratio(relayRate / localRate)} of it`,
    target: '',
    pass: null,
  },
  {
    measurement: '  host CPU per event: relay = read+parse (bare reader) + adapter + publish path',
    figure: `${median(cpu.relay).toFixed(2)} = ${median(cpu.bare).toFixed(2)} + ${(median(cpu.relay) - median(cpu.bare) - median(cpu.local)).toFixed(2)} + ${median(cpu.local).toFixed(2)} µs`,
    baseline: `bare reader ${median(cpu.bare).toFixed(2)} µs`,
    ratio: `relay ${ratio(median(cpu.bare) / median(cpu.relay))} of bare by CPU`,
    target: '',
    pass: null,
  },
  { measurement: 'spawn-to-ready, test worker (plain JS), median', figure: ms(median(spawns)), baseline: '', ratio: '', target: '', pass: null },
];
report('Worker bridge relay', rows, [
  `median of ${TRIALS} trials, all three interleaved, after a warm-up; every reader verified every delta in order; ${SPAWNS} spawns.`,
  'host CPU per event (process.cpuUsage of this process, medians of the same trials): read+parse = the bare reader\'s, publish path = the in-process bound\'s, adapter = the rest (relay queue, run-state tracking, framing beyond the bare split).',
  'the relay also validates each event (publish hook), stores it (memory bus) and delivers it to a subscriber; the bare reader only parses.',
]);
process.exit(0);
