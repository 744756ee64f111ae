/**
 * Benchmark: the ACP backend's streaming relay, and how long an agent takes to become ready.
 *
 * Relay: a plain-JS scripted ACP agent (bench/acpBurstAgent.mjs, a real subprocess built with the SDK's
 * `agent()`, no tsx) writes N `agent_message_chunk` notifications for one prompt as one block of lines,
 * built once per N (`#rawburst`, so the reading side, not the agent, is the bottleneck). Measured from
 * `submitInput` until a bus subscriber of the Worker has received all N `text_delta`s (each checked, in
 * order): agent output -> AcpWire -> mapping -> publish hook -> memory bus -> subscriber.
 * Baselines, in the same run, interleaved, each on its own process of the same agent and prompt:
 * - bare line reader: writes the same request lines by hand, splits stdout on newlines, `JSON.parse`s
 *   each line and counts (and checks, in order) the chunks; from writing the prompt until all N came.
 * - SDK client: `client()` + `ndJsonStream` with a counting `session/update` handler (it validates each
 *   notification with the SDK's zod schema).
 * Informational: the same N `text_delta`s published through a Worker's context in process (the fake
 * backend: publish hook + bus + subscriber, no agent, no mapping), which bounds what any backend can
 * relay and splits the relay's cost per event into the adapter's part and the publish path's.
 *
 * Spawn-to-ready: `create()` of a Worker until it is idle (spawn, `initialize`, `session/new`), median
 * of several, for this agent and the plain-JS demo agent.
 *
 * Run: npm run bench -- acp
 */
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { client, methods, ndJsonStream, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';
import { acpBackendModule } from 'worker-runtime/acp';
import { fakeBackendModule, FakeExecutionBackend } from 'worker-runtime/testing';
import { createRuntimeContainer, WorkerRuntime } from 'worker-runtime';
import { median, ms, now, perSecond, ratio, report, sanity, type Row } from './lib.js';
import { inProcessPublish, reader, relayRun } from './relayCommon.js';

const CHUNKS = 50_000;
const TRIALS = 5;
const SPAWNS = 7;
const TARGET = 0.8;
const BENCH_AGENT = fileURLToPath(new URL('../bench/acpBurstAgent.mjs', import.meta.url));
const DEMO_AGENT = fileURLToPath(new URL('../examples/acp-demo-agent.mjs', import.meta.url));
const agentArgs = [BENCH_AGENT];
/** This process's CPU time in µs (user + system): the host's cost, whatever the other processes on the machine do. */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const prompt = (n: number) => `go #rawburst:${n}`;

function runtimeFor(args: string[], fake?: FakeExecutionBackend): WorkerRuntime {
  return createRuntimeContainer({
    runtime: {
      profiles: { acp: { backend: 'acp', options: { command: process.execPath, args } }, fake: { backend: 'fake' } },
      deadlines: { spawnMs: 30_000, dispatchMs: 10_000 },
    },
    memoryBus: { retentionPerWorker: CHUNKS + 100, subscriberQueue: CHUNKS + 100 },
    backends: [acpBackendModule(), ...(fake ? [fakeBackendModule(fake)] : [])],
  }).get(WorkerRuntime);
}

/** The same agent read by a bare line reader: request lines written by hand, stdout split and parsed. */
function bareLineReader() {
  const child = spawn(process.execPath, agentArgs, { stdio: ['pipe', 'pipe', 'ignore'] });
  let onMessage: (message: { id?: number; method?: string; params?: { update?: { content?: { text?: string } } } }) => void = () => undefined;
  let rest = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line !== '') onMessage(JSON.parse(line));
  });
  let nextId = 0;
  const request = (method: string, params: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      const previous = onMessage;
      onMessage = (message) => {
        if (message.id === id && message.method === undefined) {
          onMessage = previous;
          resolve((message as { result?: unknown }).result);
        } else previous(message);
      };
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  const ready = (async () => {
    await request('initialize', { protocolVersion: PROTOCOL_VERSION });
    return ((await request('session/new', { cwd: process.cwd(), mcpServers: [] })) as { sessionId: string }).sessionId;
  })();
  const run = async (n: number): Promise<number> => {
    const sessionId = await ready;
    let received = 0;
    let elapsed = 0;
    const start = now();
    onMessage = (message) => {
      if (message.method !== 'session/update') return;
      sanity(message.params?.update?.content?.text === `c${received} `, `bare chunk ${received} out of order`);
      if (++received === n) elapsed = now() - start;
    };
    await request('session/prompt', { sessionId, prompt: [{ type: 'text', text: prompt(n) }] });
    sanity(received === n, `bare reader got ${received} of ${n}`);
    return n / (elapsed / 1000);
  };
  return { run, close: () => child.kill('SIGKILL') };
}

/** The same agent through a bare SDK client (`client()` + `ndJsonStream`, a counting update handler). */
async function sdkClient() {
  const child = spawn(process.execPath, agentArgs, { stdio: ['pipe', 'pipe', 'ignore'] });
  let count: () => void = () => undefined;
  const app = client({ name: 'bench' }).onNotification(methods.client.session.update, () => count());
  const connection = app.connect(ndJsonStream(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>));
  await connection.agent.request(methods.agent.initialize, { protocolVersion: PROTOCOL_VERSION });
  const { sessionId } = await connection.agent.request(methods.agent.session.new, { cwd: process.cwd(), mcpServers: [] });
  const run = async (n: number): Promise<number> => {
    let handled = 0;
    const all = new Promise<void>((resolve) => (count = () => void (++handled === n && resolve())));
    const start = now();
    await connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: prompt(n) }] });
    await all;
    return n / ((now() - start) / 1000);
  };
  return { run, close: () => (connection.close(), child.kill('SIGKILL')) };
}

/** The in-process bound: the same events through a Worker's context, no agent process. */
function inProcess(n: number) {
  const fake = new FakeExecutionBackend({ backendId: 'fake' });
  return inProcessPublish(runtimeFor(agentArgs, fake), fake, n);
}

async function spawnToReady(args: string[]): Promise<number[]> {
  const runtime = runtimeFor(args);
  const times: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const start = now();
    const { result } = await runtime.create({ workerId: `spawn-${i}`, profile: 'acp' });
    times.push(now() - start);
    sanity(result.outcome === 'accepted', `create ${result.reason}`);
    await runtime.stop(`spawn-${i}`);
  }
  await runtime.shutdown();
  return times;
}

const runtime = runtimeFor(agentArgs);
const { result } = await runtime.create({ workerId: 'relay', profile: 'acp' });
sanity(result.outcome === 'accepted', `create ${result.reason}`);
const observed = runtime.observe('relay', { queueLimit: 10 * CHUNKS });
sanity(observed.ok, 'observe');
const next = reader(observed.subscription);
const bare = bareLineReader();
const sdk = await sdkClient();
const local = await inProcess(CHUNKS);
// Warm-up (and each agent builds its block).
await relayRun(runtime, next, CHUNKS, prompt(CHUNKS));
await bare.run(CHUNKS);
await sdk.run(CHUNKS);
await local.run();
const relay: number[] = [];
const bareRates: number[] = [];
const sdkRates: number[] = [];
const localRates: number[] = [];
const cpu = { relay: [] as number[], bare: [] as number[], sdk: [] as number[], local: [] as number[] };
/** Runs one trial, keeping its rate and this process's CPU per event. */
async function trial(rates: number[], cpus: number[], run: () => Promise<number>): Promise<void> {
  const before = cpuNow();
  rates.push(await run());
  cpus.push((cpuNow() - before) / CHUNKS);
}
for (let t = 0; t < TRIALS; t++) {
  await trial(relay, cpu.relay, () => relayRun(runtime, next, CHUNKS, prompt(CHUNKS)));
  await trial(bareRates, cpu.bare, () => bare.run(CHUNKS));
  await trial(sdkRates, cpu.sdk, () => sdk.run(CHUNKS));
  await trial(localRates, cpu.local, () => local.run());
}
bare.close();
sdk.close();
await local.close();
await runtime.shutdown();
const benchAgent = await spawnToReady(agentArgs);
const demoAgent = await spawnToReady([DEMO_AGENT]);

const [relayRate, bareRate, sdkRate, localRate] = [median(relay), median(bareRates), median(sdkRates), median(localRates)];
const rows: Row[] = [
  {
    measurement: `ACP relay, ${CHUNKS / 1000}k chunks to a bus subscriber`,
    figure: perSecond(relayRate, 'events'),
    baseline: `bare line reader ${perSecond(bareRate, 'events')}; SDK client ${perSecond(sdkRate, 'events')}`,
    ratio: `${ratio(relayRate / bareRate)} of bare line reader; ${ratio(relayRate / sdkRate)} of SDK client`,
    target: `>= ${TARGET}x bare line reader`,
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
  { measurement: 'spawn-to-ready, bench agent (plain JS), median', figure: ms(median(benchAgent)), baseline: '', ratio: '', target: '', pass: null },
  { measurement: 'spawn-to-ready, demo agent (plain JS), median', figure: ms(median(demoAgent)), baseline: '', ratio: '', target: '', pass: null },
];
report('ACP relay', rows, [
  `median of ${TRIALS} trials, all four interleaved, after a warm-up; every reader verified every chunk (the SDK client counts them); ${SPAWNS} spawns per agent.`,
  'the relay also maps each update, validates each event (publish hook), stores it (memory bus) and delivers it to a subscriber; the bare reader only parses.',
  'host CPU per event (process.cpuUsage of this process, medians of the same trials): read+parse = the bare reader\'s, publish path = the in-process bound\'s, adapter = the rest (mapping, queueing, framing beyond the bare split).',
]);
process.exit(0);
