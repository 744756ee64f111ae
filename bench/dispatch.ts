/**
 * Benchmark 1: input dispatch through `WorkerRuntime.submitInput` vs calling the backend's
 * `dispatchInput` directly (same backend, same inputs, same concurrency harness).
 *
 * `submitInput` is single-flight per Worker, so the load is spread over many idle Workers: each round
 * submits one input to every Worker concurrently and waits for all results.
 *
 * The backend is a BENCH DOUBLE (below), not the shipped FAKE backend: the fake answers every accepted
 * input with run state `busy` and records every dispatch, so a Worker could take only one input and
 * memory would grow with the run. The double acknowledges at once with `state: 'idle'` (the run ended
 * immediately), so the Worker stays idle and can take the next input. Both paths use the same double.
 *
 * Run: npm run bench -- dispatch
 */
import { ContainerModule } from 'inversify';
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
import { median, now, perSecond, ratio, report, sanity } from './lib.js';

const WORKERS = 1000;
const WARMUP_ROUNDS = 100;
const ROUNDS = 300; // inputs per trial = WORKERS * ROUNDS
const TRIALS = 5;
const TARGET_PER_SECOND = 200_000;

interface BenchHandle {
  readonly workerId: string;
}

/** BENCH DOUBLE: every input is accepted and its run ends at once (the Worker stays idle). */
class InstantBackend implements ExecutionBackendPort {
  readonly backendId = 'bench';
  readonly handles = new Map<string, BenchHandle>();

  spawn(_request: SpawnRequest, context: ExecutionContext): Promise<SpawnResult> {
    const handle: BenchHandle = { workerId: context.worker.workerId };
    this.handles.set(handle.workerId, handle);
    return Promise.resolve({ status: 'ready', handle, state: 'idle' });
  }

  dispatchInput(_handle: unknown, _input: WorkerInput, submissionId: string, _signal?: AbortSignal): Promise<DispatchResult> {
    return Promise.resolve({ status: 'accepted', submissionId, state: 'idle' });
  }
}

const backend = new InstantBackend();
const container = createRuntimeContainer({
  runtime: { profiles: { bench: { backend: 'bench' } } },
  backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
});
const runtime = container.get(WorkerRuntime);

const ids: string[] = [];
for (let i = 0; i < WORKERS; i++) {
  const id = `w${i}`;
  const created = await runtime.create({ workerId: id, profile: 'bench' });
  sanity(created.result.reason === 'created' && created.worker?.state === 'idle', `create ${id}: ${created.result.reason}`);
  ids.push(id);
}
const handles = ids.map((id) => backend.handles.get(id)!);
const input = textInput('hello from the dispatch benchmark');

/** One round through the Runtime: one input per Worker. Returns how many were accepted (committed). */
async function runtimeRound(): Promise<number> {
  const results = await Promise.all(ids.map((id) => runtime.submitInput(id, input)));
  let accepted = 0;
  for (const r of results) if (r.outcome === 'accepted' && r.reason === 'committed') accepted++;
  return accepted;
}

const signal = new AbortController().signal;
let submission = 0;
/** One round straight to the backend: the same call the Runtime makes, with no Runtime around it. */
async function directRound(): Promise<number> {
  const submitted: string[] = new Array(handles.length);
  const results = await Promise.all(
    handles.map((handle, i) => backend.dispatchInput(handle, input, (submitted[i] = `s${++submission}`), signal)),
  );
  let accepted = 0;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (r.status === 'accepted' && r.submissionId === submitted[i]) accepted++;
  }
  return accepted;
}

async function trial(round: () => Promise<number>, rounds: number): Promise<number> {
  const start = now();
  let accepted = 0;
  for (let r = 0; r < rounds; r++) accepted += await round();
  const seconds = (now() - start) / 1000;
  sanity(accepted === rounds * WORKERS, `only ${accepted} of ${rounds * WORKERS} inputs were accepted`);
  return accepted / seconds;
}

// Warm-up both paths (JIT, inline caches), then interleave trials so drift hits both alike.
await trial(runtimeRound, WARMUP_ROUNDS);
await trial(directRound, WARMUP_ROUNDS);
const viaRuntime: number[] = [];
const direct: number[] = [];
for (let t = 0; t < TRIALS; t++) {
  viaRuntime.push(await trial(runtimeRound, ROUNDS));
  direct.push(await trial(directRound, ROUNDS));
}

const runtimeRate = median(viaRuntime);
const directRate = median(direct);
const summary = runtime.summary();
sanity(summary.workers.byState.idle === WORKERS, 'every Worker is idle again after the run');
await runtime.shutdown();

report(
  'Dispatch: WorkerRuntime.submitInput vs backend.dispatchInput',
  [
    {
      measurement: `submitInput, ${WORKERS} idle Workers`,
      figure: perSecond(runtimeRate, 'inputs'),
      baseline: perSecond(directRate, 'inputs'),
      ratio: `${ratio(directRate / runtimeRate)} slower`,
      target: `>= ${perSecond(TARGET_PER_SECOND, 'inputs')}`,
      pass: runtimeRate >= TARGET_PER_SECOND,
    },
    {
      measurement: 'Runtime overhead per input',
      figure: `${(1e6 / runtimeRate - 1e6 / directRate).toFixed(2)} µs`,
      baseline: `${(1e6 / directRate).toFixed(3)} µs direct`,
      ratio: '',
      target: '',
      pass: null,
    },
  ],
  [
    `${TRIALS} trials x ${ROUNDS * WORKERS} inputs each (after ${WARMUP_ROUNDS * WORKERS} warm-up inputs per path); median shown; every input was accepted.`,
    'backend: bench double acknowledging at once with state idle (both paths); baseline passes a counter as submission id and no deadline.',
  ],
);
process.exit(0);
