/**
 * Benchmark 4: heap held by 10,000 idle Workers created through `WorkerRuntime` with the FAKE backend.
 *
 * Needs `--expose-gc`; started without it, this script reruns itself in a child process that has it
 * (so `node .bench-js/idleWorkers.js` works). The baseline is the heap (after a full GC) with the
 * container and Runtime built and a warm-up done, before the 10,000 Workers are created; the figure is
 * the heap after creating them (after a full GC). Bytes per Worker = (figure - baseline) / 10,000.
 *
 * Run: npm run bench -- idleWorkers   (or, once compiled: node --expose-gc .bench-js/idleWorkers.js)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { macrotask, mb, report, sanity } from './lib.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { createRuntimeContainer, WorkerRuntime } = await import('worker-runtime');
const { fakeBackendModule, FakeExecutionBackend } = await import('worker-runtime/testing');

const WORKERS = 10_000;
const WARMUP_WORKERS = 200;
const TARGET_BYTES = 50 * 1024 * 1024;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await macrotask();
    gc!();
  }
  return process.memoryUsage().heapUsed;
}

function runtimeWithFake(): { runtime: InstanceType<typeof WorkerRuntime>; backend: InstanceType<typeof FakeExecutionBackend> } {
  const backend = new FakeExecutionBackend();
  const container = createRuntimeContainer({
    runtime: { profiles: { fake: { backend: 'fake' } } },
    backends: [fakeBackendModule(backend)],
  });
  return { runtime: container.get(WorkerRuntime), backend };
}

async function createIdle(runtime: InstanceType<typeof WorkerRuntime>, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const created = await runtime.create({ workerId: `${prefix}${i}`, profile: 'fake' });
    sanity(created.result.reason === 'created' && created.worker?.state === 'idle', `create ${prefix}${i}: ${created.result.reason}`);
  }
}

// Warm-up on a throwaway Runtime (JIT, lazily loaded code), then drop it.
{
  const warm = runtimeWithFake();
  await createIdle(warm.runtime, WARMUP_WORKERS, 'warm-');
  await warm.runtime.shutdown();
}

const { runtime, backend } = runtimeWithFake();
const before = await heapAfterGc();
await createIdle(runtime, WORKERS, 'idle-');
const after = await heapAfterGc();

const summary = runtime.summary();
sanity(summary.workers.total === WORKERS && summary.workers.byState.idle === WORKERS, `expected ${WORKERS} idle Workers, got ${JSON.stringify(summary.workers)}`);
sanity(backend.live.length === WORKERS, 'every Worker has a live fake execution');

// The FAKE backend logs every call (`calls`) for tests; that log is the fake's, not the Runtime's.
const fakeCalls = backend.calls.length;
backend.calls.length = 0;
const withoutFakeLog = await heapAfterGc();

const delta = after - before;
report(
  `Idle Workers: heap for ${WORKERS.toLocaleString('en')} idle Workers (FAKE backend)`,
  [
    {
      measurement: `heap growth, ${WORKERS.toLocaleString('en')} idle Workers`,
      figure: mb(delta),
      baseline: `${mb(before)} before`,
      ratio: `${(after / before).toFixed(2)}x of before`,
      target: `< ${mb(TARGET_BYTES)}`,
      pass: delta < TARGET_BYTES,
    },
    {
      measurement: '  total heap used after creating',
      figure: mb(after),
      baseline: `${mb(before)} before`,
      ratio: '',
      target: `< ${mb(TARGET_BYTES)}`,
      pass: after < TARGET_BYTES,
    },
    {
      measurement: '  bytes per idle Worker',
      figure: `${Math.round(delta / WORKERS)} B`,
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: `  of which the FAKE's call log (${fakeCalls} entries)`,
      figure: `${Math.round((after - withoutFakeLog) / WORKERS)} B`,
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    },
  ],
  [
    'heapUsed after 3 full GCs (global.gc) each side; baseline = container + Runtime built, warm-up done on a throwaway Runtime;',
    'includes the FAKE backend\'s own bookkeeping (execution map, handles, call log) and the lifecycle feed (bounded retention, 4096 changes).',
  ],
);
await runtime.shutdown();
process.exit(0);
