/**
 * Benchmark: the ACP backend's streaming relay, and how long an agent takes to become ready.
 *
 * Relay: the scripted ACP test agent (test/support/acpTestAgent.ts, a real subprocess) writes N
 * `agent_message_chunk` notifications for one prompt as one block of lines (`#rawburst`, so the
 * reading side, not the agent, is the bottleneck). Measured from `submitInput` until a bus subscriber of the
 * Worker has received all N `text_delta`s (each checked, in order): that is spawn-free relay cost,
 * agent output -> AcpWire -> mapping -> publish hook -> memory bus -> subscriber. Baseline, in the same
 * run: the same agent and prompt read by a bare SDK client (`client()` + `ndJsonStream`, a counting
 * `session/update` handler), from sending the prompt until all N chunks were handled. Floor
 * (informational): the same bytes split into lines and `JSON.parse`d, nothing else.
 *
 * Spawn-to-ready: `create()` of a Worker until it is idle (spawn, `initialize`, `session/new`), median
 * of several; the test agent runs under tsx (TypeScript), so the plain-JS demo agent is shown too.
 *
 * Run: npx tsx bench/acpRelay.ts
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { client, methods, ndJsonStream, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';
import { acpBackendModule } from 'worker-runtime/acp';
import { createRuntimeContainer, WorkerRuntime, type ObservationFrame } from 'worker-runtime';
import { median, ms, now, perSecond, ratio, report, sanity, type Row } from './lib.js';

const CHUNKS = 50_000;
const TRIALS = 3;
const SPAWNS = 7;
const TARGET = 0.8;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TEST_AGENT = fileURLToPath(new URL('../test/support/acpTestAgent.ts', import.meta.url));
const DEMO_AGENT = fileURLToPath(new URL('../examples/acp-demo-agent.mjs', import.meta.url));
const agentArgs = ['--import', TSX, TEST_AGENT];
const prompt = (n: number) => `go #rawburst:${n}`;

function runtimeFor(args: string[]): WorkerRuntime {
  return createRuntimeContainer({
    runtime: {
      profiles: { acp: { backend: 'acp', options: { command: process.execPath, args } } },
      deadlines: { spawnMs: 30_000, dispatchMs: 10_000 },
    },
    memoryBus: { retentionPerWorker: CHUNKS + 100, subscriberQueue: CHUNKS + 100 },
    backends: [acpBackendModule()],
  }).get(WorkerRuntime);
}

/** One subscription for all relay runs: each run reads its N chunks (timed), then up to `status idle`. */
async function relayRun(runtime: WorkerRuntime, frames: AsyncIterator<ObservationFrame>, n: number): Promise<number> {
  const next = async () => {
    const { value, done } = await frames.next();
    sanity(!done && value.type === 'observation', `unexpected ${done ? 'end' : value.type} of the subscription`);
    return value.observation.event;
  };
  const start = now();
  const result = await runtime.submitInput('relay', { kind: 'user', segments: [{ kind: 'text', content: prompt(n) }] });
  sanity(result.outcome === 'accepted', `input ${result.reason}`);
  for (let received = 0; received < n; ) {
    const event = await next();
    if (event.event !== 'text_delta') continue;
    sanity(event.data?.text === `c${received} `, `chunk ${received} out of order`);
    received++;
  }
  const elapsed = now() - start;
  for (let event = await next(); !(event.event === 'status' && event.data?.status === 'idle'); event = await next());
  return n / (elapsed / 1000);
}

/** The same agent and prompt through a bare SDK client; `parseOnly`: just split lines and JSON.parse. */
async function bareRun(n: number, parseOnly: boolean): Promise<number> {
  const child = spawn(process.execPath, agentArgs, { stdio: ['pipe', 'pipe', 'ignore'] });
  let handled = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const count = () => void (++handled === n && resolveAll());
  if (parseOnly) {
    let rest = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if ((JSON.parse(line) as { method?: string }).method === 'session/update') count();
    });
  }
  const app = client({ name: 'bench' }).onNotification(methods.client.session.update, () => count());
  const stdout = parseOnly ? new ReadableStream<Uint8Array>() : (Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>);
  const connection = app.connect(ndJsonStream(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>, stdout));
  if (parseOnly) {
    // Send the three requests by hand, the agent answers them on stdout (read above).
    const send = (id: number, method: string, params: unknown) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    send(0, 'initialize', { protocolVersion: PROTOCOL_VERSION });
    await new Promise((resolve) => setTimeout(resolve, 800));
    send(1, 'session/new', { cwd: process.cwd(), mcpServers: [] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const start = now();
    send(2, 'session/prompt', { sessionId: 'test-session-1', prompt: [{ type: 'text', text: prompt(n) }] });
    await all;
    const elapsed = now() - start;
    child.kill('SIGKILL');
    return n / (elapsed / 1000);
  }
  await connection.agent.request(methods.agent.initialize, { protocolVersion: PROTOCOL_VERSION });
  const { sessionId } = await connection.agent.request(methods.agent.session.new, { cwd: process.cwd(), mcpServers: [] });
  const start = now();
  await connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: prompt(n) }] });
  await all;
  const elapsed = now() - start;
  connection.close();
  child.kill('SIGKILL');
  return n / (elapsed / 1000);
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
const frames = observed.subscription[Symbol.asyncIterator]();
await relayRun(runtime, frames, 2_000); // warm-up
await bareRun(2_000, false);
const relay: number[] = [];
const bare: number[] = [];
const floor: number[] = [];
for (let t = 0; t < TRIALS; t++) {
  relay.push(await relayRun(runtime, frames, CHUNKS));
  bare.push(await bareRun(CHUNKS, false));
  floor.push(await bareRun(CHUNKS, true));
}
await runtime.shutdown();
const testAgent = await spawnToReady(agentArgs);
const demoAgent = await spawnToReady([DEMO_AGENT]);

const relayRate = median(relay);
const bareRate = median(bare);
const rows: Row[] = [
  {
    measurement: `ACP relay, ${CHUNKS / 1000}k chunks to a bus subscriber`,
    figure: perSecond(relayRate, 'events'),
    baseline: `${perSecond(bareRate, 'events')} bare SDK client`,
    ratio: `${ratio(relayRate / bareRate)} of bare`,
    target: `>= ${TARGET}x bare`,
    pass: relayRate / bareRate >= TARGET,
  },
  {
    measurement: '  floor: split lines + JSON.parse only',
    figure: perSecond(median(floor), 'events'),
    baseline: '',
    ratio: `${ratio(relayRate / median(floor))} of floor`,
    target: '',
    pass: null,
  },
  { measurement: 'spawn-to-ready, test agent (tsx), median', figure: ms(median(testAgent)), baseline: '', ratio: '', target: '', pass: null },
  { measurement: 'spawn-to-ready, demo agent (plain JS), median', figure: ms(median(demoAgent)), baseline: '', ratio: '', target: '', pass: null },
];
report('ACP relay', rows, [
  `median of ${TRIALS} trials after a warm-up; each subscriber verified every chunk in order; ${SPAWNS} spawns per agent.`,
  'the bare client validates each session/update with the SDK schema (the relay maps it without that).',
]);
process.exit(0);
