/**
 * Benchmark: the memory bus's retention budget holds the heap under a 10,000-Worker streaming run.
 *
 * 10,000 Workers are created through `WorkerRuntime` (FAKE backend) on a memory bus with a budget of
 * BUDGET bytes (default per-Worker retention, 10,000). The fixed overhead is the heap (after full GCs)
 * with those Workers idle after one small event each (a Worker's stream, its budget account and its
 * context's abort signal exist from its first event on), minus what those events cost against the
 * budget; the heap of Workers that never published is shown beside it. Then events (`text_delta` with
 * 200-2,000 B of text, a fresh string each, as a parsed wire line would be) are published through each
 * Worker's execution context (the guarded publish hook, then the bus), to random Workers, until
 * PUBLISHED_FACTOR times the budget was published; 100 of the Workers have a live subscriber draining
 * with `nextBatch`. The figure is the heap after full GCs; the target is heap <= idle heap + budget.
 *
 * Needs `--expose-gc`; started without it, it reruns itself in a child process that has it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { macrotask, mb, perSecond, report, sanity } from './lib.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { createRuntimeContainer, WorkerRuntime, ENTRY_OVERHEAD_BYTES } = await import('worker-runtime');
const { fakeBackendModule, FakeExecutionBackend } = await import('worker-runtime/testing');

const WORKERS = 10_000;
const SUBSCRIBED = 100;
const BUDGET = 256 * 1024 * 1024;
const PUBLISHED_FACTOR = 4;
const MIN_TEXT = 200;
const MAX_TEXT = 2000;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await macrotask();
    gc!();
  }
  return process.memoryUsage().heapUsed;
}

/** Deterministic PRNG (mulberry32): every run publishes the same sizes to the same Workers. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const backend = new FakeExecutionBackend();
const container = createRuntimeContainer({
  runtime: { profiles: { fake: { backend: 'fake' } } },
  memoryBus: { budgetBytes: BUDGET },
  backends: [fakeBackendModule(backend)],
});
const runtime = container.get(WorkerRuntime);
const ids = Array.from({ length: WORKERS }, (_, i) => `w${i}`);
for (const workerId of ids) {
  const created = await runtime.create({ workerId, profile: 'fake' });
  sanity(created.result.reason === 'created', `create ${workerId}: ${created.result.reason}`);
}
const contexts = ids.map((id) => backend.contextOf(id)!);
backend.calls.length = 0; // the FAKE's own call log is not the Runtime's
const neverPublished = await heapAfterGc();
for (const context of contexts) sanity((await context.publish({ event: 'status', data: { status: 'idle' } })).ok, 'first event');
const warm = runtime.summary().observationBudget;
sanity(warm !== null, 'the memory bus reports its budget');
const idle = (await heapAfterGc()) - warm.retainedBytes;

// Live subscribers on some Workers, each draining in batches (delivered frames are dropped at once).
let delivered = 0;
let subscribersEnded = 0;
for (const id of ids.slice(0, SUBSCRIBED)) {
  const observed = runtime.observe(id);
  sanity(observed.ok, `observe ${id}`);
  const subscription = observed.subscription as unknown as { nextBatch(max?: number): Promise<{ type: string }[]> };
  void (async () => {
    for (;;) {
      const batch = await subscription.nextBatch();
      if (batch.length === 0 || batch.some((f) => f.type === 'lagged' || f.type === 'end')) break;
      delivered += batch.length;
    }
    subscribersEnded++;
  })();
}

const next = random(15);
const text = Buffer.alloc(MAX_TEXT);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz ';
for (let i = 0; i < MAX_TEXT; i++) text[i] = LETTERS.charCodeAt((i * 7) % LETTERS.length);
let published = 0;
let publishedBytes = 0;
const target = PUBLISHED_FACTOR * BUDGET;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
while (publishedBytes < target) {
  const pending: Promise<{ ok: boolean }>[] = [];
  for (let k = 0; k < 1000; k++) {
    const length = MIN_TEXT + Math.floor(next() * (MAX_TEXT - MIN_TEXT + 1));
    text.write(published.toString(36).padStart(8, '0'), 'latin1'); // a distinct string each time
    const event = { event: 'text_delta', data: { text: text.toString('latin1', 0, length) } };
    pending.push(contexts[Math.floor(next() * WORKERS)]!.publish(event));
    published++;
    publishedBytes += length + 38 + ENTRY_OVERHEAD_BYTES; // {"event":"text_delta","data":{"text":"…"}} + overhead
  }
  for (const result of await Promise.all(pending)) sanity(result.ok, 'every publish is accepted');
  await macrotask(); // let the subscribers drain
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const summary = runtime.summary();
const budget = summary.observationBudget;
sanity(budget !== null, 'the memory bus reports its budget');
sanity(budget.retainedBytes <= BUDGET, `retained ${budget.retainedBytes} > budget ${BUDGET}`);
sanity(budget.evictedObservations > 0, 'the budget evicted observations');
const full = await heapAfterGc();
sanity(subscribersEnded === 0, `${subscribersEnded} subscribers ended (lagged?) during the run`);

const growth = full - idle;
report(
  `Memory budget: heap of ${WORKERS.toLocaleString('en')} streaming Workers vs budget`,
  [
    {
      measurement: `heap after GC, ${mb(publishedBytes)} published (${PUBLISHED_FACTOR}x the budget)`,
      figure: mb(full),
      baseline: `${mb(idle)} idle + ${mb(BUDGET)} budget (never published: ${mb(neverPublished)})`,
      ratio: `${(growth / BUDGET).toFixed(2)}x of budget above idle`,
      target: `<= ${mb(idle + BUDGET)}`,
      pass: full <= idle + BUDGET,
    },
    {
      measurement: '  retained against the budget',
      figure: mb(budget.retainedBytes),
      baseline: `${budget.retainedObservations.toLocaleString('en')} observations`,
      ratio: `${(budget.retainedBytes / BUDGET).toFixed(3)}x of budget`,
      target: `<= ${mb(BUDGET)}`,
      pass: budget.retainedBytes <= BUDGET,
    },
    {
      measurement: '  fixed overhead per Worker: idle, after its first event',
      figure: `${Math.round(idle / WORKERS)} B`,
      baseline: `${Math.round(neverPublished / WORKERS)} B never published`,
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: '  heap above idle per retained budget byte',
      figure: (growth / budget.retainedBytes).toFixed(3),
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: '  published / evicted by the budget',
      figure: `${published.toLocaleString('en')} / ${budget.evictedObservations.toLocaleString('en')}`,
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: '  publish rate through the hook (with eviction)',
      figure: perSecond(published / seconds, 'events'),
      baseline: `${((cpu.user + cpu.system) / published).toFixed(2)} µs CPU/event`,
      ratio: '',
      target: '',
      pass: null,
    },
  ],
  [
    `budget ${mb(BUDGET)}, each observation costs its event's JSON bytes + ${ENTRY_OVERHEAD_BYTES} B; payloads ${MIN_TEXT}-${MAX_TEXT} B of text, random Workers;`,
    `idle = heapUsed after 3 full GCs with the ${WORKERS.toLocaleString('en')} Workers created and one \`status\` event each, minus those events' cost; ${SUBSCRIBED} live nextBatch subscribers got ${delivered.toLocaleString('en')} frames.`,
  ],
);
await runtime.shutdown();
process.exit(0);
