/**
 * Host benchmark: `POST /v1/workers/:workerId/input` through the real HTTP host AT ITS DEFAULTS (the
 * log level it ships with, default config otherwise: real socket, Host and origin policy, bearer-token
 * check, JSON parser, zod validation, Runtime `submitInput`, typed result body) vs a bare fastify route
 * at fastify's defaults doing the same JSON parse and answering the same JSON (202, the same
 * `{ result }` shape with a fresh submission id). At 1, 10 and 50 connections: req/s, p50/p99 latency
 * and server CPU per request. Targets at 50 connections: req/s >= 0.8x of bare fastify's, and the
 * capacity the CPU per request implies (bare CPU / host CPU per request) >= 0.8x too.
 *
 * Both servers run in this process and are driven in turn by autocannon in a CHILD process (a load
 * generator sharing the server's event loop would slow both sides and hide the gap). Server CPU per
 * request = `process.cpuUsage()` of this process over a trial / requests answered: it says what the
 * server costs even when the load generator or a neighbour on the machine is the bottleneck. Latency
 * is every response's own time as autocannon measured it (float ms; its histogram rounds to 1 ms).
 * Same requests, connections, duration and warm-up for both; trials alternate host / bare so drift
 * hits both alike; the median trial of each (by req/s) is reported, CPU per request as the median of
 * the trials' own figures.
 *
 * The only thing not at its default is the backend: a BENCH DOUBLE (defined below, not the shipped
 * FAKE) that accepts every input at once and leaves the Worker idle, so every request is a real
 * committed input. Each connection owns its own 20 Workers and cycles through them with one request in
 * flight (the Runtime is single flight per Worker). Sanity: every response is 202, the double saw every
 * accepted input, the host wrote no log line per request at its default level.
 *
 * Run: npm run bench -- hostInput
 * Profile one side: node --cpu-prof .bench-js/hostInput.js --only=host   (or --only=bare; no ratio then)
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { ContainerModule } from 'inversify';
import { createHost, HostConfigSchema } from 'worker-runtime/host';
import {
  ExecutionBackendPort,
  type DispatchResult,
  type ExecutionContext,
  type SpawnRequest,
  type SpawnResult,
  type WorkerInput,
} from 'worker-runtime';
import { median, ms, perSecond, percentile, ratio, report, sanity, type Row } from './lib.js';

const ROLE = process.env.BENCH_HOST_INPUT_ROLE;
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) as 'host' | 'bare' | undefined;

const CONNECTION_COUNTS = [1, 10, 50] as const;
const MAX_CONNECTIONS = 50;
const WORKERS_PER_CONNECTION = 20;
const WORKERS = MAX_CONNECTIONS * WORKERS_PER_CONNECTION; // 1000
const WARMUP_SECONDS = 2;
const SECONDS = 3;
const TRIALS = 5;
const TARGET = 0.8;
const TARGET_CONNECTIONS = 50;
const TOKEN = 'bench-token-0123456789abcdef';
const BODY = JSON.stringify({ kind: 'user', content: 'hello from the host input benchmark' });
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

interface LoadRequest {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
}

interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
  /** ms, from every response's own duration. */
  readonly p50: number;
  readonly p99: number;
  readonly durationSeconds: number;
  /** CPU seconds (user + system) used by the load generator during the run. */
  readonly clientCpuSeconds: number;
}

type Run = LoadResult & { serverCpuSeconds: number };

if (ROLE === 'loadgen') {
  await loadGenerator();
} else {
  await main();
}

/** Child process: runs autocannon for each request the parent sends, answers with a summary. */
async function loadGenerator(): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  process.on('disconnect', () => process.exit(0)); // the parent is gone
  process.on('message', (message: LoadRequest | 'exit') => {
    if (message === 'exit') process.exit(0);
    const { url, seconds, connections } = message;
    let client = 0;
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    void autocannon({
      url,
      connections,
      duration: seconds,
      pipelining: 1,
      method: 'POST',
      headers: HEADERS,
      body: BODY,
      // Connection c owns Workers c*20 .. c*20+19 and cycles through them, one request in flight.
      setupClient: (c) => {
        const base = client++ * WORKERS_PER_CONNECTION;
        c.setRequests(
          Array.from({ length: WORKERS_PER_CONNECTION }, (_, i) => ({ method: 'POST' as const, path: `/v1/workers/w${base + i}/input`, headers: HEADERS, body: BODY })),
        );
        c.on('response', (_status: number, _bytes: number, duration: number) => void latencies.push(duration));
      },
    }).then((r) => {
      const used = process.cpuUsage(cpu);
      const statusCodes: Record<string, number> = {};
      for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count);
      const result: LoadResult = {
        requests: r.requests.total,
        rps: r.requests.total / r.duration,
        ok2xx: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        statusCodes,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        durationSeconds: r.duration,
        clientCpuSeconds: (used.user + used.system) / 1e6,
      };
      process.send!(result);
    });
  });
  process.send!('ready');
}

async function main(): Promise<void> {
  /** BENCH DOUBLE: every input is accepted and its run ends at once (the Worker stays idle). */
  class InstantBackend implements ExecutionBackendPort {
    readonly backendId = 'bench';
    dispatches = 0;

    spawn(_request: SpawnRequest, context: ExecutionContext): Promise<SpawnResult> {
      return Promise.resolve({ status: 'ready', handle: { workerId: context.worker.workerId }, state: 'idle' });
    }

    dispatchInput(_handle: unknown, _input: WorkerInput, submissionId: string, _signal?: AbortSignal): Promise<DispatchResult> {
      this.dispatches++;
      return Promise.resolve({ status: 'accepted', submissionId, state: 'idle' });
    }
  }

  // --- the real host at its defaults (log level included), the bench double as profile `bench` ---
  const backend = new InstantBackend();
  let logLines = 0;
  const config = HostConfigSchema.parse({ listen: { host: '127.0.0.1', port: 0 }, token: TOKEN, profiles: {} });
  // `bench` is not a config kind: bind the double and name it in the profile directly (as the host tests do).
  config.profiles.bench = { backend: 'bench' as never };
  const host = createHost(config, {
    // The default destination is stdout; lines are counted here instead of printed (none is expected per request).
    logStream: { write: () => void logLines++ },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const hostUrl = await host.listen();
  for (let i = 0; i < WORKERS; i++) {
    const created = await host.runtime.create({ workerId: `w${i}`, profile: 'bench' });
    sanity(created.result.reason === 'created' && created.worker?.state === 'idle', `create w${i}: ${created.result.reason}`);
  }

  // One request by hand: the body the host answers is the body the bare route must answer.
  const probe = await fetch(`${hostUrl}/v1/workers/w0/input`, { method: 'POST', headers: HEADERS, body: BODY });
  const probeBody = (await probe.json()) as { result?: Record<string, unknown> };
  sanity(probe.status === 202, `host probe answered ${probe.status}: ${JSON.stringify(probeBody)}`);
  const { submissionId: probeSubmission, ...probeRest } = probeBody.result ?? {};
  const submissionLength = String(probeSubmission).length;
  sanity(
    JSON.stringify(probeRest) === JSON.stringify({ operation: 'input', outcome: 'accepted', reason: 'committed', state: 'idle' }) && typeof probeSubmission === 'string',
    `unexpected host result ${JSON.stringify(probeBody)}`,
  );

  // --- the baseline: bare fastify at its defaults, the same JSON parse (fastify's) and the same answer ---
  const bare = Fastify();
  let bareParsed = 0;
  bare.post('/v1/workers/:workerId/input', (request, reply) => {
    if ((request.body as { kind?: unknown }).kind === 'user') bareParsed++;
    return reply.code(202).send({ result: { operation: 'input', outcome: 'accepted', reason: 'committed', state: 'idle', submissionId: randomUUID() } });
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;
  const bareProbe = await fetch(`${bareUrl}/v1/workers/w0/input`, { method: 'POST', headers: HEADERS, body: BODY });
  const bareBody = (await bareProbe.json()) as { result?: Record<string, unknown> };
  sanity(bareProbe.status === 202 && bareParsed === 1, `bare probe answered ${bareProbe.status}`);
  {
    const { submissionId, ...rest } = bareBody.result ?? {};
    // The host's submission id may be shorter than a UUID: the bare route then sends a few bytes more (noted).
    sanity(JSON.stringify(rest) === JSON.stringify(probeRest) && typeof submissionId === 'string', 'bare route answers the same JSON');
  }

  // --- load generator child (no profiler flags: only the server process is measured/profiled) ---
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: [],
    env: { ...process.env, BENCH_HOST_INPUT_ROLE: 'loadgen' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  const drive = (url: string, seconds: number, connections: number): Promise<Run> =>
    new Promise((resolve) => {
      const cpu = process.cpuUsage();
      child.once('message', (result: LoadResult) => {
        const used = process.cpuUsage(cpu);
        resolve({ ...result, serverCpuSeconds: (used.user + used.system) / 1e6 });
      });
      child.send({ url, seconds, connections } satisfies LoadRequest);
    });

  const checkHost = (r: LoadResult, label: string, dispatched: number, linesDuring: number): void => {
    sanity(r.errors === 0 && r.timeouts === 0, `${label}: ${r.errors} errors, ${r.timeouts} timeouts`);
    sanity(r.non2xx === 0 && r.ok2xx > 0 && r.statusCodes['202'] === r.ok2xx, `${label}: every response must be 202 accepted (${JSON.stringify(r.statusCodes)})`);
    sanity(dispatched >= r.ok2xx && dispatched <= r.ok2xx + MAX_CONNECTIONS, `${label}: ${dispatched} dispatches for ${r.ok2xx} responses`);
    sanity(linesDuring === 0, `${label}: the host wrote ${linesDuring} log lines at its default level`);
  };
  const checkBare = (r: LoadResult, label: string): void => {
    sanity(r.errors === 0 && r.timeouts === 0 && r.non2xx === 0 && r.ok2xx > 0, `${label}: ${JSON.stringify(r)}`);
  };
  const hostTrial = async (seconds: number, connections: number, label: string): Promise<Run> => {
    const [dispatchesBefore, linesBefore] = [backend.dispatches, logLines];
    const r = await drive(hostUrl, seconds, connections);
    checkHost(r, label, backend.dispatches - dispatchesBefore, logLines - linesBefore);
    return r;
  };
  const bareTrial = async (seconds: number, connections: number, label: string): Promise<Run> => {
    const r = await drive(bareUrl, seconds, connections);
    checkBare(r, label);
    return r;
  };
  const cpuPerRequest = (r: Run): number => (r.serverCpuSeconds / r.requests) * 1e6;

  if (ONLY) {
    // Profiling aid: drive one server only (50 connections) and print its trials; no ratio.
    const trial = ONLY === 'host' ? hostTrial : bareTrial;
    await trial(WARMUP_SECONDS, MAX_CONNECTIONS, `${ONLY} warm-up`);
    for (let t = 0; t < TRIALS; t++) {
      const r = await trial(SECONDS * 2, MAX_CONNECTIONS, `${ONLY} trial ${t + 1}`);
      console.log(`${ONLY} trial ${t + 1}: ${perSecond(r.rps, 'req')}, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, server CPU ${cpuPerRequest(r).toFixed(1)} µs/req`);
    }
    child.send('exit');
    await host.close();
    await bare.close();
    process.exit(0);
  }

  // Warm-up both (JIT, connection setup), then per connection count alternate trials.
  await hostTrial(WARMUP_SECONDS, MAX_CONNECTIONS, 'host warm-up');
  await bareTrial(WARMUP_SECONDS, MAX_CONNECTIONS, 'bare warm-up');
  const pick = (runs: readonly Run[]): Run => {
    const m = median(runs.map((r) => r.rps));
    return runs.reduce((best, r) => (Math.abs(r.rps - m) < Math.abs(best.rps - m) ? r : best));
  };
  const rows: Row[] = [];
  const trialsNote: string[] = [];
  for (const connections of CONNECTION_COUNTS) {
    const hostRuns: Run[] = [];
    const bareRuns: Run[] = [];
    for (let t = 0; t < TRIALS; t++) {
      hostRuns.push(await hostTrial(SECONDS, connections, `host, ${connections} connections, trial ${t + 1}`));
      bareRuns.push(await bareTrial(SECONDS, connections, `bare, ${connections} connections, trial ${t + 1}`));
    }
    const h = pick(hostRuns);
    const b = pick(bareRuns);
    const rel = h.rps / b.rps;
    const gated = connections === TARGET_CONNECTIONS;
    // CPU per request: the median over the trials (each trial's own figure), and the capacity it implies.
    const hostCpu = median(hostRuns.map(cpuPerRequest));
    const bareCpu = median(bareRuns.map(cpuPerRequest));
    const capacity = bareCpu / hostCpu;
    const busy = (r: Run): string => `${Math.round((100 * r.serverCpuSeconds) / r.durationSeconds)} % / ${Math.round((100 * r.clientCpuSeconds) / r.durationSeconds)} %`;
    rows.push(
      {
        measurement: `input, ${connections} connection${connections === 1 ? '' : 's'}: throughput`,
        figure: perSecond(h.rps, 'req'),
        baseline: `${perSecond(b.rps, 'req')} bare fastify`,
        ratio: ratio(rel),
        target: gated ? `>= ${TARGET}x bare` : '',
        pass: gated ? rel >= TARGET : null,
      },
      { measurement: '  latency p50 / p99', figure: `${ms(h.p50)} / ${ms(h.p99)}`, baseline: `${ms(b.p50)} / ${ms(b.p99)} bare fastify`, ratio: `${ratio(h.p50 / b.p50)} / ${ratio(h.p99 / b.p99)}`, target: '', pass: null },
      {
        measurement: '  server CPU per request (capacity = bare / host)',
        figure: `${hostCpu.toFixed(1)} µs`,
        baseline: `${bareCpu.toFixed(1)} µs bare fastify`,
        ratio: ratio(capacity),
        target: gated ? `>= ${TARGET}x bare` : '',
        pass: gated ? capacity >= TARGET : null,
      },
      { measurement: '  CPU busy, server / load generator', figure: busy(h), baseline: `${busy(b)} bare fastify`, ratio: '', target: '', pass: null },
    );
    trialsNote.push(
      `${connections} conn. trials (req/s, host | bare): ${hostRuns.map((r) => si(r.rps)).join(', ')} | ${bareRuns.map((r) => si(r.rps)).join(', ')}; ` +
        `CPU µs/req: ${hostRuns.map((r) => cpuPerRequest(r).toFixed(1)).join(', ')} | ${bareRuns.map((r) => cpuPerRequest(r).toFixed(1)).join(', ')}`,
    );
  }
  child.send('exit');

  const summary = host.runtime.summary();
  sanity(summary.workers.byState.idle === WORKERS, `every Worker is idle after the run (${JSON.stringify(summary.workers)})`);
  await host.close();
  await bare.close();

  report('Host input: POST /v1/workers/:id/input via the host at its defaults vs a bare fastify route', rows, [
    `${TRIALS} alternating trials of ${SECONDS} s each per connection count after a ${WARMUP_SECONDS} s warm-up per server; the median trial (by req/s) is shown; autocannon runs in a child process.`,
    `host: default config and log level (${config.log.level}); ${logLines} log lines over the whole run (startup included); every response was 202 accepted; backend: a bench double acknowledging at once (state idle); ${WORKERS} Workers, 20 per connection.`,
    'bare: fastify at its defaults (no logger), its JSON parser, the same 202 JSON with a random UUID as submission id.',
    `server CPU per request = CPU time (user+system) of the server process during a trial / its requests, median over the trials; capacity = bare CPU per request / host CPU per request (the throughput ratio the host would reach where the server's CPU is the bottleneck; req/s alone says little while the load generator or other processes hold the cores). CPU busy 100 % = one core. Submission ids: host ${submissionLength} chars, bare 36.`,
    ...trialsNote,
  ]);
  process.exit(0);
}

function si(value: number): string {
  return perSecond(value, 'req').replace(' req/s', '');
}
