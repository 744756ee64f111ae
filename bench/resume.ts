/**
 * Benchmark 3: resuming a subscription from a cursor deep in a 1M-event retention.
 *
 * A memory bus retaining 1,000,000 observations per Worker gets 1,000,000 events; then subscriptions
 * resume `after` cursors at random depths (seeded, reproducible). Time to first event = from calling
 * `subscribe` until its first `next()` resolved with the observation right after the cursor. The
 * baseline is the same resume near the head (after the second-newest cursor). If resuming scanned the
 * log, deep resumes would cost far more than near-head ones; the ratio shows whether they do.
 *
 * Run: npm run bench -- resume
 */
import {
  MemoryBusOptionsSchema,
  MemoryObservationBus,
  RandomIds,
  SystemClock,
  type ObservationFrame,
  type ProtocolEvent,
  type WorkerRef,
} from 'worker-runtime';
import { median, ms, now, percentile, ratio, report, sanity } from './lib.js';

const RETENTION = 1_000_000;
const EVENTS = 1_000_000;
const RESUMES = 201;
const WARMUP = 50;
const TARGET_MS = 1;

const bus = new MemoryObservationBus(MemoryBusOptionsSchema.parse({ retentionPerWorker: RETENTION, budgetBytes: 2 ** 31 }), new SystemClock(), new RandomIds());
const worker: WorkerRef = { runtimeId: 'bench', workerId: 'deep' };
const payloads: ProtocolEvent[] = Array.from({ length: 1024 }, (_, i) => ({ event: 'text_delta', data: { text: `token ${i} ` } }));

// Fill the retention; keep each cursor exactly as the bus handed it out (cursors are opaque).
const fillStart = now();
const cursors: string[] = new Array(EVENTS + 1);
for (let i = 1; i <= EVENTS; i++) {
  const published = await bus.publish(worker, payloads[i & 1023]!);
  sanity(published.ok && published.sequence === i, `publish ${i} failed`);
  cursors[i] = published.cursor;
}
const fillMs = now() - fillStart;

/** Deterministic PRNG (mulberry32) so every run resumes at the same depths. */
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

/** Resumes after `sequence`; returns milliseconds until the first frame arrived (and checks it). */
async function resumeAfter(sequence: number): Promise<number> {
  const start = now();
  const subscription = bus.subscribe(worker, { after: cursors[sequence]! });
  const first = await subscription[Symbol.asyncIterator]().next();
  const elapsed = now() - start;
  const frame = first.value as ObservationFrame | undefined;
  sanity(
    !first.done && frame?.type === 'observation' && frame.observation.sequence === sequence + 1 && frame.replayed,
    `resume after ${sequence}: expected replayed observation ${sequence + 1}, got ${JSON.stringify(frame)?.slice(0, 120)}`,
  );
  subscription.close();
  return elapsed;
}

const rng = random(0x5eed);
// Depths between 1% and 99% of the log, plus the exact middle.
const deepSequences = [EVENTS / 2, ...Array.from({ length: RESUMES - 1 }, () => 1 + Math.floor((0.01 + 0.98 * rng()) * (EVENTS - 2)))];
const nearHead = EVENTS - 1;

for (let i = 0; i < WARMUP; i++) {
  await resumeAfter(1 + Math.floor(rng() * (EVENTS - 2)));
  await resumeAfter(nearHead);
}
// Interleave deep and near-head resumes so both see the same conditions.
const deep: number[] = [];
const head: number[] = [];
const sameDeep: number[] = [];
for (const sequence of deepSequences) {
  deep.push(await resumeAfter(sequence));
  head.push(await resumeAfter(nearHead));
  sameDeep.push(await resumeAfter(EVENTS / 2));
}
const oldestTail = await resumeAfter(1); // the deepest possible resume: after the oldest retained

const deepMedian = median(deep);
// A scan from either end would make time grow with distance from that end: show medians by position.
const quarters = [0, 1, 2, 3].map((q) =>
  median(deep.filter((_, i) => Math.floor(((deepSequences[i]! - 1) / EVENTS) * 4) === q)),
);
const headMedian = median(head);
report(
  'Resume: time to first event, 1M-event retention',
  [
    {
      measurement: `resume at random depth (median of ${RESUMES})`,
      figure: ms(deepMedian),
      baseline: `${ms(headMedian)} near head`,
      ratio: `${ratio(deepMedian / headMedian)} of near-head`,
      target: `< ${TARGET_MS} ms`,
      pass: deepMedian < TARGET_MS,
    },
    {
      measurement: '  p95 / max at random depth',
      figure: `${ms(percentile(deep, 95))} / ${ms(Math.max(...deep))}`,
      baseline: `${ms(percentile(head, 95))} / ${ms(Math.max(...head))} near head`,
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: '  median by position: 1st / 2nd / 3rd / 4th quarter',
      figure: quarters.map(ms).join(' / '),
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: '  same deep cursor repeated (middle, warm cache)',
      figure: ms(median(sameDeep)),
      baseline: `${ms(headMedian)} near head`,
      ratio: `${ratio(median(sameDeep) / headMedian)} of near-head`,
      target: '',
      pass: null,
    },
    {
      measurement: '  resume after the oldest retained (single)',
      figure: ms(oldestTail),
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    },
  ],
  [
    `retention ${RETENTION.toLocaleString('en')} per Worker, ${EVENTS.toLocaleString('en')} events published (fill took ${(fillMs / 1000).toFixed(1)} s);`,
    `${WARMUP} warm-up resumes per kind first; deep and near-head resumes interleaved; every first frame was the replayed observation right after the cursor.`,
  ],
);
process.exit(0);
