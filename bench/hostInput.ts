/**
 * Host benchmark 1: `POST /v1/workers/:workerId/input` throughput through the real HTTP host (real
 * socket, bearer-token check, zod validation of params and body, Runtime `submitInput`, typed result
 * body) vs a bare fastify route on another port that returns the same JSON (status 202, the same
 * `{ result }` shape with a fresh submission id) for the same requests. Target: >= 0.7x of the bare route.
 *
 * Both servers run in this process and are driven in turn by autocannon, which runs in a CHILD process
 * (a load generator sharing the server's event loop would slow both sides and hide the gap). Same
 * requests, connections, duration and warm-up for both; trials alternate host / bare so drift hits
 * both alike; the median trial of each is reported.
 *
 * The Runtime is single-flight per Worker (an input to a busy Worker answers 409 busy), so the host
 * gets a BENCH DOUBLE backend (defined below, not the shipped FAKE): it accepts every input at once and
 * leaves the Worker idle (`{ status: 'accepted', submissionId, state: 'idle' }`). Requests are spread
 * over 1000 Workers: each autocannon connection owns its own 20 Workers and cycles through them with one
 * request in flight, so no two requests ever target the same Worker at once and every request is a real
 * accepted input. Sanity: every response of the host run is 202, none is non-2xx, and the double saw at
 * least as many dispatches as autocannon counted responses.
 *
 * Both servers log at level `warn` through pino (fastify's logger), so no per-request log line is written.
 *
 * It drives the built host (`dist/`, as shipped): run `npm run build` first.
 * Run: npx tsx bench/hostInput.ts
 * Profile one side only (no ratio then): node --cpu-prof --import tsx bench/hostInput.ts --only=host   (or --only=bare)
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { ContainerModule } from 'inversify';
import { createHost } from 'worker-runtime/host';
import { HostConfigSchema } from 'worker-runtime/host';
import {
  ExecutionBackendPort,
  type DispatchResult,
  type ExecutionContext,
  type SpawnRequest,
  type SpawnResult,
  type WorkerInput,
} from 'worker-runtime';
import { median, perSecond, ratio, report, sanity } from './lib.js';

const ROLE = process.env.BENCH_HOST_INPUT_ROLE;
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) as 'host' | 'bare' | undefined;

const CONNECTIONS = 50;
const WORKERS_PER_CONNECTION = 20;
const WORKERS = CONNECTIONS * WORKERS_PER_CONNECTION; // 1000
const WARMUP_SECONDS = 2;
const SECONDS = 5;
const TRIALS = 3;
const TARGET = 0.7;
const LOG_LEVEL = 'warn' as const;
const TOKEN = 'bench-token-0123456789abcdef';
const BODY = JSON.stringify({ kind: 'user', content: 'hello from the host input benchmark' });

interface LoadRequest {
  readonly url: string;
  readonly seconds: number;
}

interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
  readonly p50: number;
  readonly p99: number;
  readonly durationSeconds: number;
  /** CPU seconds (user + system) used by the load generator during the run. */
  readonly clientCpuSeconds: number;
}

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
    const { url, seconds } = message;
    let client = 0;
    const cpu = process.cpuUsage();
    void autocannon({
      url,
      connections: CONNECTIONS,
      duration: seconds,
      pipelining: 1,
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: BODY,
      // Connection c owns Workers c*20 .. c*20+19 and cycles through them, one request in flight.
      setupClient: (c) => {
        const base = client++ * WORKERS_PER_CONNECTION;
        c.setRequests(
          Array.from({ length: WORKERS_PER_CONNECTION }, (_, i) => ({
            method: 'POST' as const,
            path: `/v1/workers/w${base + i}/input`,
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: BODY,
          })),
        );
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
        p50: r.latency.p50,
        p99: r.latency.p99,
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

  // --- the real host, with the bench double as the backend of profile `bench` ---
  const backend = new InstantBackend();
  const logs: string[] = [];
  const config = HostConfigSchema.parse({
    listen: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    log: { level: LOG_LEVEL },
    profiles: {},
  });
  // `bench` is not a config kind: bind the double and name it in the profile directly (as the host tests do).
  config.profiles.bench = { backend: 'bench' as never };
  const host = createHost(config, {
    logStream: { write: (line: string) => void logs.push(line) },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const hostUrl = await host.listen();
  for (let i = 0; i < WORKERS; i++) {
    const created = await host.runtime.create({ workerId: `w${i}`, profile: 'bench' });
    sanity(created.result.reason === 'created' && created.worker?.state === 'idle', `create w${i}: ${created.result.reason}`);
  }

  // One request by hand: the body the host answers is the body the bare route must answer.
  const probe = await fetch(`${hostUrl}/v1/workers/w0/input`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: BODY,
  });
  const probeBody = (await probe.json()) as { result?: Record<string, unknown> };
  sanity(probe.status === 202, `host probe answered ${probe.status}: ${JSON.stringify(probeBody)}`);
  const { submissionId: probeSubmission, ...probeRest } = probeBody.result ?? {};
  const submissionLength = String(probeSubmission).length;
  sanity(
    JSON.stringify(probeRest) === JSON.stringify({ operation: 'input', outcome: 'accepted', reason: 'committed', state: 'idle' }) && typeof probeSubmission === 'string',
    `unexpected host result ${JSON.stringify(probeBody)}`,
  );

  // --- the baseline: a bare fastify route, same logger level, same answer, no auth/validation/Runtime ---
  const bare = Fastify({ logger: { level: LOG_LEVEL, stream: { write: (line: string) => void logs.push(line) } } });
  bare.post('/v1/workers/:workerId/input', (_request, reply) =>
    reply.code(202).send({ result: { operation: 'input', outcome: 'accepted', reason: 'committed', state: 'idle', submissionId: randomUUID() } }),
  );
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;
  const bareProbe = await fetch(`${bareUrl}/v1/workers/w0/input`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const bareBody = (await bareProbe.json()) as { result?: Record<string, unknown> };
  sanity(bareProbe.status === 202, `bare probe answered ${bareProbe.status}`);
  {
    const { submissionId, ...rest } = bareBody.result ?? {};
    sanity(JSON.stringify(rest) === JSON.stringify(probeRest) && String(submissionId).length === submissionLength, 'bare route answers the same JSON');
  }

  // --- load generator child (no profiler flags: only the server process is measured/profiled) ---
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: [],
    env: { ...process.env, BENCH_HOST_INPUT_ROLE: 'loadgen' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  const drive = (url: string, seconds: number): Promise<LoadResult & { serverCpuSeconds: number }> =>
    new Promise((resolve) => {
      const cpu = process.cpuUsage();
      child.once('message', (result: LoadResult) => {
        const used = process.cpuUsage(cpu);
        resolve({ ...result, serverCpuSeconds: (used.user + used.system) / 1e6 });
      });
      child.send({ url, seconds } satisfies LoadRequest);
    });

  const checkHostRun = (r: LoadResult, label: string): void => {
    sanity(r.errors === 0 && r.timeouts === 0, `${label}: ${r.errors} errors, ${r.timeouts} timeouts`);
    sanity(r.non2xx === 0, `${label}: ${r.non2xx} non-2xx responses (${JSON.stringify(r.statusCodes)})`);
    sanity(r.ok2xx > 0 && r.statusCodes['202'] === r.ok2xx, `${label}: every response must be 202 accepted (${JSON.stringify(r.statusCodes)})`);
  };
  const checkBareRun = (r: LoadResult, label: string): void => {
    sanity(r.errors === 0 && r.timeouts === 0 && r.non2xx === 0 && r.ok2xx > 0, `${label}: ${JSON.stringify(r)}`);
  };

  if (ONLY) {
    // Profiling aid: drive one server only and print its trials; no ratio.
    const url = ONLY === 'host' ? hostUrl : bareUrl;
    await drive(url, WARMUP_SECONDS);
    for (let t = 0; t < TRIALS; t++) {
      const r = await drive(url, SECONDS);
      (ONLY === 'host' ? checkHostRun : checkBareRun)(r, `${ONLY} trial ${t + 1}`);
      console.log(`${ONLY} trial ${t + 1}: ${perSecond(r.rps, 'req')}, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${((r.serverCpuSeconds / r.requests) * 1e6).toFixed(1)} µs/req`);
    }
    child.send('exit');
    await host.close();
    await bare.close();
    process.exit(0);
  }

  // Warm-up both (JIT, connection setup), then alternate trials.
  const warmBefore = backend.dispatches;
  const warm = await drive(hostUrl, WARMUP_SECONDS);
  checkHostRun(warm, 'host warm-up');
  sanity(backend.dispatches - warmBefore >= warm.ok2xx, 'the double saw every accepted input');
  checkBareRun(await drive(bareUrl, WARMUP_SECONDS), 'bare warm-up');

  const hostRuns: (LoadResult & { serverCpuSeconds: number })[] = [];
  const bareRuns: (LoadResult & { serverCpuSeconds: number })[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const before = backend.dispatches;
    const h = await drive(hostUrl, SECONDS);
    checkHostRun(h, `host trial ${t + 1}`);
    const dispatched = backend.dispatches - before;
    sanity(dispatched >= h.ok2xx && dispatched <= h.ok2xx + CONNECTIONS, `host trial ${t + 1}: ${dispatched} dispatches for ${h.ok2xx} responses`);
    hostRuns.push(h);
    const b = await drive(bareUrl, SECONDS);
    checkBareRun(b, `bare trial ${t + 1}`);
    bareRuns.push(b);
  }
  child.send('exit');

  const summary = host.runtime.summary();
  sanity(summary.workers.byState.idle === WORKERS, `every Worker is idle after the run (${JSON.stringify(summary.workers)})`);
  const warnings = logs.length;
  await host.close();
  await bare.close();

  const pick = (runs: typeof hostRuns): (typeof hostRuns)[number] => {
    const m = median(runs.map((r) => r.rps));
    return runs.reduce((best, r) => (Math.abs(r.rps - m) < Math.abs(best.rps - m) ? r : best));
  };
  const h = pick(hostRuns);
  const b = pick(bareRuns);
  const rel = h.rps / b.rps;
  const cpuPerRequest = (r: (typeof hostRuns)[number]): number => (r.serverCpuSeconds / r.requests) * 1e6;
  const cpuShare = (r: (typeof hostRuns)[number]): string => `${Math.round((100 * r.serverCpuSeconds) / r.durationSeconds)} % / ${Math.round((100 * r.clientCpuSeconds) / r.durationSeconds)} %`;

  report(
    'Host input: POST /v1/workers/:id/input via the host vs a bare fastify route',
    [
      {
        measurement: `input throughput, ${CONNECTIONS} connections, ${WORKERS} Workers`,
        figure: perSecond(h.rps, 'req'),
        baseline: `${perSecond(b.rps, 'req')} bare fastify`,
        ratio: ratio(rel),
        target: `>= ${TARGET}x bare`,
        pass: rel >= TARGET,
      },
      {
        measurement: '  latency p50 / p99',
        figure: `${h.p50} / ${h.p99} ms`,
        baseline: `${b.p50} / ${b.p99} ms`,
        ratio: '',
        target: '',
        pass: null,
      },
      {
        measurement: '  server CPU per request',
        figure: `${cpuPerRequest(h).toFixed(1)} µs`,
        baseline: `${cpuPerRequest(b).toFixed(1)} µs`,
        ratio: ratio(cpuPerRequest(h) / cpuPerRequest(b)),
        target: '',
        pass: null,
      },
      {
        measurement: '  CPU busy, server / load generator',
        figure: cpuShare(h),
        baseline: cpuShare(b),
        ratio: '',
        target: '',
        pass: null,
      },
      {
        measurement: '  all trials (req/s)',
        figure: hostRuns.map((r) => perSecond(r.rps, 'req')).join(', '),
        baseline: bareRuns.map((r) => perSecond(r.rps, 'req')).join(', '),
        ratio: '',
        target: '',
        pass: null,
      },
    ],
    [
      `${TRIALS} alternating trials of ${SECONDS} s each after a ${WARMUP_SECONDS} s warm-up per server; the median trial is shown; autocannon runs in a child process.`,
      `host: every one of ${h.requests} responses in the shown trial was 202 accepted (non-2xx: 0); backend: bench double acknowledging at once with state idle; ${WORKERS} Workers, 20 per connection.`,
      `log level ${LOG_LEVEL} for both servers (pino); ${warnings} log lines were written during the run.`,
      `server CPU per request = process CPU time (user+system) of the server process during the trial / requests; CPU busy 100 % = one core saturated.`,
    ],
  );
  process.exit(0);
}
