/**
 * Queue benchmark: enqueue-then-drain throughput of busy policy `enqueue`. A Worker is held busy
 * (one held run), N inputs are submitted to it (each answered `queued` once its queue store has it),
 * then the run ends and the queue drains: each input is marked `dispatching`, handed to the backend
 * through the commit-ack path and settled `committed`, in order, one at a time. The figure is N over
 * the time from the first submit to the last settlement.
 *
 * Baseline: the same N inputs committed by a client that has no queue: it submits one, and submits the
 * next once the Worker is idle again (what a client of a `reject` Worker does, minus its retry delays).
 * Same backend, same inputs, same number of commits; the difference is what the queue costs (or saves).
 * Measured with the memory queue and with the Redis queue (the catalog's connection on the local Redis,
 * under a unique prefix that is deleted afterwards; every queue write is a Redis round trip: append,
 * mark, settle), on 1 Worker and on 100 Workers draining side by side.
 *
 * The backend is a BENCH DOUBLE (below), not the shipped FAKE: it acknowledges at once and leaves the
 * Worker idle (its run ended), except for the held run, which it ends when told. It drives `dist/`:
 * Run: npm run bench -- queueDrain
 */
import { ContainerModule } from 'inversify';
import { Redis } from 'ioredis';
import { redisCatalogModule, RedisWorkerCatalog } from 'worker-runtime/redis-catalog';
import {
  createRuntimeContainer,
  ExecutionBackendPort,
  textInput,
  WorkerRuntime,
  type DispatchResult,
  type ExecutionContext,
  type SpawnRequest,
  type SpawnResult,
  type WorkerInput,
} from 'worker-runtime';
import { median, now, perSecond, ratio, report, sanity, type Row } from './lib.js';

const TRIALS = 5;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** BENCH DOUBLE: accepts every input at once, run over (state idle); `#hold` keeps the Worker busy until `release`. */
class InstantBackend implements ExecutionBackendPort {
  readonly backendId = 'bench';
  readonly contexts = new Map<string, ExecutionContext>();
  dispatched = 0;

  spawn(_request: SpawnRequest, context: ExecutionContext): Promise<SpawnResult> {
    this.contexts.set(context.worker.workerId, context);
    return Promise.resolve({ status: 'ready', handle: context.worker.workerId, state: 'idle' });
  }

  dispatchInput(_handle: unknown, input: WorkerInput, submissionId: string): Promise<DispatchResult> {
    this.dispatched++;
    const held = input.kind === 'user' && input.segments[0]?.kind === 'text' && input.segments[0].content === '#hold';
    return Promise.resolve({ status: 'accepted', submissionId, state: held ? 'busy' : 'idle' });
  }

  release(workerId: string): Promise<unknown> {
    return this.contexts.get(workerId)!.publish({ event: 'run_end', data: { result: 'finished' } });
  }
}

interface Setup {
  readonly runtime: WorkerRuntime;
  readonly backend: InstantBackend;
  close(): Promise<void>;
}

async function setup(store: 'memory' | 'redis', prefix: string): Promise<Setup> {
  const backend = new InstantBackend();
  const container = createRuntimeContainer({
    runtime: { profiles: { q: { backend: 'bench', busy: { policy: 'enqueue', queueLimit: 10_000 } } } },
    ...(store === 'redis' ? { catalog: redisCatalogModule({ url: REDIS_URL, keyPrefix: prefix }) } : {}),
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const catalog = store === 'redis' ? container.get(RedisWorkerCatalog) : null;
  await catalog?.connect();
  const runtime = container.get(WorkerRuntime);
  return {
    runtime,
    backend,
    close: async () => {
      await runtime.shutdown();
      await catalog?.close();
    },
  };
}

const hold = textInput('#hold');
const inputs = Array.from({ length: 10_000 }, (_, i) => textInput(`queued input ${i}`));

interface Phases {
  readonly total: number;
  readonly enqueue: number;
  readonly drain: number;
}

/** Enqueue `perWorker` inputs behind a held run on each Worker, end the runs, wait for every settlement (inputs/s, overall and per phase). */
async function enqueueThenDrain(s: Setup, workers: string[], perWorker: number): Promise<Phases> {
  for (const id of workers) sanity((await s.runtime.submitInput(id, hold)).reason === 'committed', 'held run committed');
  const before = s.backend.dispatched;
  const start = now();
  const answers = await Promise.all(workers.map(async (id) => {
    const results = [];
    for (let i = 0; i < perWorker; i++) results.push(s.runtime.submitInput(id, inputs[i]!));
    return Promise.all(results);
  }));
  sanity(answers.flat().every((r) => r.outcome === 'queued'), 'every input queued');
  const queuedAt = now();
  await Promise.all(workers.map((id) => s.backend.release(id)));
  await until(() => workers.every((id) => s.runtime.get(id)?.queue.length === 0 && s.runtime.get(id)?.state === 'idle'));
  const end = now();
  sanity(s.backend.dispatched - before === workers.length * perWorker, 'every queued input dispatched once');
  const n = workers.length * perWorker;
  return { total: n / ((end - start) / 1000), enqueue: n / ((queuedAt - start) / 1000), drain: n / ((end - queuedAt) / 1000) };
}

/** The same commits without a queue: each Worker's client submits the next input once the last committed. */
async function oneAtATime(s: Setup, workers: string[], perWorker: number): Promise<number> {
  const before = s.backend.dispatched;
  const start = now();
  await Promise.all(workers.map(async (id) => {
    for (let i = 0; i < perWorker; i++) sanity((await s.runtime.submitInput(id, inputs[i]!)).reason === 'committed', 'direct input committed');
  }));
  const seconds = (now() - start) / 1000;
  sanity(s.backend.dispatched - before === workers.length * perWorker, 'every input dispatched once');
  return (workers.length * perWorker) / seconds;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

async function measure(store: 'memory' | 'redis', workerCount: number, perWorker: number): Promise<Row[]> {
  const prefix = `wr-bench-queue-${process.pid}-${Date.now()}:`;
  const s = await setup(store, prefix);
  const workers = Array.from({ length: workerCount }, (_, i) => `w${i}`);
  for (const id of workers) sanity((await s.runtime.create({ workerId: id, profile: 'q' })).result.reason === 'created', 'created');
  await enqueueThenDrain(s, workers, Math.min(perWorker, 200)); // warm-up
  await oneAtATime(s, workers, Math.min(perWorker, 200));
  const queued: Phases[] = [];
  const direct: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    queued.push(await enqueueThenDrain(s, workers, perWorker));
    direct.push(await oneAtATime(s, workers, perWorker));
  }
  await s.close();
  if (store === 'redis') {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
  const q = median(queued.map((p) => p.total));
  const d = median(direct);
  const phases = `enqueue ${perSecond(median(queued.map((p) => p.enqueue)), 'inputs')}, drain ${perSecond(median(queued.map((p) => p.drain)), 'inputs')}`;
  return [
    {
      measurement: `enqueue-then-drain, ${store} queue, ${workerCount} Worker(s) x ${perWorker} (${phases})`,
      figure: perSecond(q, 'inputs'),
      baseline: perSecond(d, 'inputs'),
      ratio: q >= d ? `${ratio(q / d)} faster` : `${ratio(d / q)} slower`,
      target: '',
      pass: null,
    },
  ];
}

const rows = [
  ...(await measure('memory', 1, 5_000)),
  ...(await measure('memory', 100, 200)),
  ...(await measure('redis', 1, 1_000)),
  ...(await measure('redis', 100, 50)),
];
report('Queue: enqueue-then-drain vs one input at a time (no queue)', rows, [
  `${TRIALS} trials each after a warm-up, alternating; median shown; every input committed exactly once (checked).`,
  'figure: N inputs from the first submit to the last settlement (queued answers, then the drain); baseline: the same N committed by a client that sends the next once the last committed.',
  'backend: bench double acknowledging at once with state idle (both sides); Redis: the local server, the catalog connection, a unique prefix deleted afterwards.',
]);
process.exit(0);
