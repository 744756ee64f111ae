/**
 * Benchmark 2: publishing on the real path, `context.publish` (the guarded publish hook every backend
 * uses) -> the Runtime's sink -> the in-memory bus -> subscribers consuming with `nextBatch`, against
 * two baselines in the same run, interleaved trial by trial:
 * - "emitter": a bare Node `EventEmitter` per Worker (no history, no sequence, synchronous delivery);
 * - "same-semantics": the same job without the contract: a ring per Worker keeping the same retention,
 *   a sequence per event, and per subscriber an array queue drained asynchronously (one promise per
 *   wake-up, as `nextBatch`). No validation, no copy, no timestamp, no cursor, no lag bound.
 *
 * The Runtime is built with `createRuntimeContainer` and a BENCH DOUBLE backend that keeps the
 * `ExecutionContext` it is given at spawn; the benchmark publishes through those contexts. Cases:
 * 1, 100 and 10,000 Workers (round robin) with one subscriber each, and 1, 10 and 1,000 subscribers
 * on one Worker. The figure is the process's CPU time from the first publish until every subscriber has
 * received every event (events/s = events published / that time); the publisher yields a macrotask every
 * BATCH events (the same loop for all three paths). Every subscriber checks it got every event, in
 * order, exactly once, and no control frame (`lagged`, `end`, ...).
 *
 * One informational row, "bus only", publishes straight to the bus (no hook): what the hook costs.
 *
 * Run: npm run bench -- publish
 */
import { EventEmitter } from 'node:events';
import { ContainerModule } from 'inversify';
import {
  createRuntimeContainer,
  ExecutionBackendPort,
  MemoryBusOptionsSchema,
  MemoryObservationBus,
  RandomIds,
  SystemClock,
  WorkerRuntime,
  type DispatchResult,
  type ExecutionContext,
  type ObservationFrame,
  type ObservationSubscription,
  type ProtocolEvent,
  type SpawnRequest,
  type SpawnResult,
} from 'worker-runtime';
import { macrotask, median, perSecond, ratio, report, sanity, type Row } from './lib.js';

/**
 * CPU time of this process in ms (user + system, GC threads included). Every path runs in this one
 * process, so events per CPU second is what each costs, and it stays meaningful when other processes
 * share the machine (wall time then measures how often this one got a core).
 */
const now = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const BATCH = 1000;
const TRIALS = 3;
const RETENTION = MemoryBusOptionsSchema.parse({}).retentionPerWorker; // the default, for the bus and the ring baseline
const QUEUE_LIMIT = 16 * BATCH; // far above what a subscriber can fall behind by (one batch)
const TARGET_RATE_ONE = 2_000_000;
const TARGET_RATIO_ONE = 0.5;
const TARGET_RATE_10K = 1_000_000;

interface Case {
  readonly workers: number;
  readonly subscribers: number; // per Worker
  readonly events: number;
}
const ALL_CASES: readonly Case[] = [
  { workers: 1, subscribers: 1, events: 1_000_000 },
  { workers: 100, subscribers: 1, events: 1_000_000 },
  { workers: 10_000, subscribers: 1, events: 1_000_000 },
  { workers: 1, subscribers: 10, events: 200_000 },
  { workers: 1, subscribers: 1000, events: 10_000 },
];
/** PUBLISH_CASES=1x1,10000x1 (Workers x subscribers) runs only those cases (for profiling). */
const only = process.env.PUBLISH_CASES?.split(',');
const CASES = only ? ALL_CASES.filter((c) => only.includes(`${c.workers}x${c.subscribers}`)) : ALL_CASES;

const payloads: ProtocolEvent[] = Array.from({ length: 1024 }, (_, i) => ({ event: 'text_delta', data: { text: `token ${i} ` } }));
const payloadAt = (i: number): ProtocolEvent => payloads[i & 1023]!;
const textAt = (i: number): string => payloadAt(i).data!.text as string;

/** Publishes `events` payloads round robin over `workers` targets, yielding a macrotask every BATCH. */
async function publishLoop(events: number, workers: number, publish: (worker: number, event: ProtocolEvent) => void): Promise<void> {
  let worker = 0;
  for (let i = 0; i < events; i++) {
    publish(worker, payloadAt(i));
    if (++worker === workers) worker = 0;
    if ((i + 1) % BATCH === 0) await macrotask();
  }
}

/** Event `k` (0-based) of Worker `w` is global event `k * workers + w`. */
const globalIndex = (k: number, w: number, workers: number): number => k * workers + w;

// --- the real path -------------------------------------------------------------------------------

/** BENCH DOUBLE: keeps the context each Worker is spawned with; inputs are accepted and end at once. */
class ContextKeepingBackend implements ExecutionBackendPort {
  readonly backendId = 'bench';
  readonly contexts: ExecutionContext[] = [];

  spawn(_request: SpawnRequest, context: ExecutionContext): Promise<SpawnResult> {
    this.contexts.push(context);
    return Promise.resolve({ status: 'ready', handle: this.contexts.length - 1, state: 'idle' });
  }

  dispatchInput(_handle: unknown, _input: unknown, submissionId: string): Promise<DispatchResult> {
    return Promise.resolve({ status: 'accepted', submissionId, state: 'idle' });
  }
}

interface RealSetup {
  readonly runtime: WorkerRuntime;
  readonly contexts: readonly ExecutionContext[];
  readonly ids: readonly string[];
}

async function realSetup(workers: number): Promise<RealSetup> {
  const backend = new ContextKeepingBackend();
  const container = createRuntimeContainer({
    runtime: { profiles: { bench: { backend: 'bench' } } },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const runtime = container.get(WorkerRuntime);
  const ids: string[] = [];
  for (let i = 0; i < workers; i++) {
    const id = `w${i}`;
    const created = await runtime.create({ workerId: id, profile: 'bench' });
    sanity(created.result.reason === 'created', `create ${id}: ${created.result.reason}`);
    ids.push(id);
  }
  sanity(backend.contexts.length === workers, 'every Worker handed its context to the backend');
  return { runtime, contexts: backend.contexts, ids };
}

/** Consumes one subscription with `nextBatch` until it has `count` events; checks each one. */
async function consume(subscription: ObservationSubscription, w: number, workers: number, count: number): Promise<string | null> {
  let received = 0;
  let sequence = -1;
  for (;;) {
    const batch: ObservationFrame[] = await subscription.nextBatch!(4096);
    if (batch.length === 0) return `subscription ended after ${received} events`;
    for (const frame of batch) {
      if (frame.type !== 'observation') return `unexpected ${frame.type} frame after ${received} events`;
      const { observation } = frame;
      if (sequence >= 0 && observation.sequence !== sequence + 1) return `sequence ${observation.sequence} after ${sequence}`;
      sequence = observation.sequence;
      if (observation.event.data?.text !== textAt(globalIndex(received, w, workers))) return `wrong event at ${received}`;
      if (++received === count) {
        subscription.close();
        return null;
      }
    }
  }
}

async function realRun(setup: RealSetup, subscribers: number, events: number): Promise<number> {
  const { runtime, contexts, ids } = setup;
  const workers = contexts.length;
  const perWorker = events / workers;
  const done: Promise<string | null>[] = [];
  for (let w = 0; w < workers; w++) {
    for (let s = 0; s < subscribers; s++) {
      const outcome = runtime.observe(ids[w]!, { queueLimit: QUEUE_LIMIT });
      sanity(outcome.ok, `observe ${ids[w]}`);
      done.push(consume(outcome.subscription, w, workers, perWorker));
    }
  }
  let last: Promise<{ ok: boolean }> | null = null;
  const start = now();
  await publishLoop(events, workers, (w, event) => void (last = contexts[w]!.publish(event)));
  const failures = (await Promise.all(done)).filter((f) => f !== null);
  const elapsed = now() - start;
  sanity(failures.length === 0, `real path: ${failures[0]}`);
  sanity((await last!).ok, 'real path: the last publish was refused');
  return events / (elapsed / 1000);
}

/** The bus alone (no hook, no Runtime): 1 Worker, 1 subscriber. */
async function busOnlyRun(events: number): Promise<number> {
  const bus = new MemoryObservationBus(MemoryBusOptionsSchema.parse({}), new SystemClock(), new RandomIds());
  const worker = { runtimeId: 'bench', workerId: 'w0' };
  const done = consume(bus.subscribe(worker, { queueLimit: QUEUE_LIMIT }), 0, 1, events);
  const start = now();
  await publishLoop(events, 1, (_w, event) => void bus.publish(worker, event));
  const failure = await done;
  const elapsed = now() - start;
  sanity(failure === null, `bus only: ${failure}`);
  await bus.close();
  return events / (elapsed / 1000);
}

// --- baseline (a): bare EventEmitter ----------------------------------------------------------------

async function emitterRun(workers: number, subscribers: number, events: number): Promise<number> {
  const emitters = Array.from({ length: workers }, () => new EventEmitter());
  const perWorker = events / workers;
  const total = workers * subscribers;
  let finished = 0;
  let failure: string | null = null;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  emitters.forEach((emitter, w) => {
    emitter.setMaxListeners(subscribers + 1);
    for (let s = 0; s < subscribers; s++) {
      let received = 0;
      emitter.on('event', (event: ProtocolEvent) => {
        if (event.data?.text !== textAt(globalIndex(received, w, workers))) failure ??= `wrong event at ${received}`;
        if (++received === perWorker && ++finished === total) allDone();
      });
    }
  });
  const start = now();
  await publishLoop(events, workers, (w, event) => void emitters[w]!.emit('event', event));
  await done;
  const elapsed = now() - start;
  sanity(failure === null, `emitter: ${failure}`);
  return events / (elapsed / 1000);
}

// --- baseline (b): the same semantics without the contract -----------------------------------------

interface Stored {
  readonly sequence: number;
  readonly event: ProtocolEvent;
}

/** A subscriber's array queue: filled on publish, handed over whole to the one waiting read. */
class ArrayQueue {
  items: Stored[] = [];
  private waiter: ((items: Stored[]) => void) | null = null;

  push(item: Stored): void {
    this.items.push(item);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter(this.take());
    }
  }

  next(): Promise<Stored[]> {
    if (this.items.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private take(): Stored[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}

/** One Worker's stream: a ring of the same retention, a sequence, its subscribers' queues. */
class RingEmitter {
  private readonly ring: (Stored | undefined)[] = [];
  private head = 0;
  readonly queues: ArrayQueue[] = [];

  publish(event: ProtocolEvent): void {
    const stored: Stored = { sequence: ++this.head, event };
    if (this.ring.length < RETENTION) this.ring.push(stored);
    else this.ring[this.head % RETENTION] = stored;
    for (const queue of this.queues) queue.push(stored);
  }
}

async function sameSemanticsRun(workers: number, subscribers: number, events: number): Promise<number> {
  const streams = Array.from({ length: workers }, () => new RingEmitter());
  const perWorker = events / workers;
  const consumeQueue = async (queue: ArrayQueue, w: number): Promise<string | null> => {
    let received = 0;
    let sequence = 0;
    for (;;) {
      for (const stored of await queue.next()) {
        if (sequence > 0 && stored.sequence !== sequence + 1) return `sequence ${stored.sequence} after ${sequence}`;
        sequence = stored.sequence;
        if (stored.event.data?.text !== textAt(globalIndex(received, w, workers))) return `wrong event at ${received}`;
        if (++received === perWorker) return null;
      }
    }
  };
  const done: Promise<string | null>[] = [];
  streams.forEach((stream, w) => {
    for (let s = 0; s < subscribers; s++) {
      const queue = new ArrayQueue();
      stream.queues.push(queue);
      done.push(consumeQueue(queue, w));
    }
  });
  const start = now();
  await publishLoop(events, workers, (w, event) => streams[w]!.publish(event));
  const failures = (await Promise.all(done)).filter((f) => f !== null);
  const elapsed = now() - start;
  sanity(failures.length === 0, `same-semantics: ${failures[0]}`);
  return events / (elapsed / 1000);
}

// --- the run -------------------------------------------------------------------------------------

const rows: Row[] = [];
for (const { workers, subscribers, events } of CASES) {
  // Warm-up: a tenth of the run on each path (JIT).
  const warm = await realSetup(workers);
  await realRun(warm, subscribers, events / 10);
  await warm.runtime.shutdown();
  await emitterRun(workers, subscribers, events / 10);
  await sameSemanticsRun(workers, subscribers, events / 10);
  const real: number[] = [];
  const emitter: number[] = [];
  const same: number[] = [];
  const busOnly: number[] = [];
  const withBusOnly = workers === 1 && subscribers === 1;
  if (withBusOnly) await busOnlyRun(events / 10);
  for (let t = 0; t < TRIALS; t++) {
    // A fresh Runtime per trial (built outside the timing): every path starts with empty history.
    const setup = await realSetup(workers);
    real.push(await realRun(setup, subscribers, events));
    await setup.runtime.shutdown();
    emitter.push(await emitterRun(workers, subscribers, events));
    same.push(await sameSemanticsRun(workers, subscribers, events));
    if (withBusOnly) busOnly.push(await busOnlyRun(events));
  }
  const ours = median(real);
  const emitterRate = median(emitter);
  const sameRate = median(same);
  const label = workers === 1 ? `1 Worker, ${subscribers} subscriber${subscribers > 1 ? 's' : ''}` : `${workers.toLocaleString('en')} Workers round robin, 1 subscriber each`;
  const baseline = `${perSecond(emitterRate, 'events')} emitter; ${perSecond(sameRate, 'events')} same-semantics`;
  const ratios = `${ratio(ours / emitterRate)} of emitter; ${ratio(ours / sameRate)} of same-semantics`;
  const measurement = `context.publish -> nextBatch, ${label}, ${(events / 1000).toLocaleString('en')}k events`;
  if (workers === 1 && subscribers === 1) {
    rows.push({ measurement, figure: perSecond(ours, 'events'), baseline, ratio: ratios, target: `>= ${TARGET_RATIO_ONE}x same-semantics`, pass: ours / sameRate >= TARGET_RATIO_ONE });
    rows.push({ measurement: `  same, absolute rate`, figure: perSecond(ours, 'events'), baseline, ratio: ratios, target: '>= 2M events/s', pass: ours >= TARGET_RATE_ONE });
    const bus = median(busOnly);
    rows.push({
      measurement: `  bus only (MemoryObservationBus.publish, no hook), 1 Worker, 1 subscriber`,
      figure: perSecond(bus, 'events'),
      baseline: `${perSecond(sameRate, 'events')} same-semantics`,
      ratio: `${ratio(bus / sameRate)} of same-semantics; hook path ${ratio(ours / bus)} of bus only`,
      target: '',
      pass: null,
    });
  } else if (workers === 10_000) {
    rows.push({ measurement, figure: perSecond(ours, 'events'), baseline, ratio: ratios, target: '>= 1M events/s', pass: ours >= TARGET_RATE_10K });
  } else {
    rows.push({ measurement, figure: perSecond(ours, 'events'), baseline, ratio: ratios, target: '', pass: null });
  }
  if (subscribers > 1) {
    rows.push({
      measurement: `  deliveries (events x subscribers)`,
      figure: perSecond(ours * subscribers, 'frames'),
      baseline: `${perSecond(emitterRate * subscribers, 'calls')} emitter; ${perSecond(sameRate * subscribers, 'items')} same-semantics`,
      ratio: '',
      target: '',
      pass: null,
    });
  }
}

report('Publish: context.publish through the hook and the memory bus', rows, [
  `median of ${TRIALS} interleaved trials after a warm-up, a fresh Runtime per trial; events per CPU second of this process (user+system, GC included) from first publish until every subscriber received every event;`,
  `publisher yields a macrotask every ${BATCH} events (same loop for all paths); retention ${RETENTION} per Worker on the bus and in the ring baseline;`,
  'every subscriber verified all events in order, exactly once, no lagged/end frame.',
]);
process.exit(0);
