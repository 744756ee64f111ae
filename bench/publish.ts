/**
 * Benchmark 2: publishing through the in-memory observation bus to 1 and to 100 subscribers, each
 * consuming its subscription with `for await`, vs a bare Node `EventEmitter` delivering the same
 * payloads to 1 / 100 listeners.
 *
 * The figure is wall time from the first publish until every subscriber has received every event
 * (events/s = events published / that time). The publisher publishes in batches and yields a
 * macrotask between batches, so subscribers consume while publishing goes on; the emitter runs the
 * same loop. Each subscriber checks it got every event, in order, exactly once, and no control
 * frame (`lagged`, `end`, ...) at all: its queueLimit is the whole run, so nobody can lag.
 *
 * An extra informational row, "floor", delivers the same payloads through the smallest possible
 * async-iterator channel (one shared bounded ring, a read index per subscriber, a `for await`), which is what any bus that
 * hands frames out through `AsyncIterable` costs at least.
 *
 * Run: npx tsx bench/publish.ts
 */
import { EventEmitter } from 'node:events';
import {
  MemoryBusOptionsSchema,
  MemoryObservationBus,
  RandomIds,
  SystemClock,
  type ObservationSubscription,
  type ProtocolEvent,
  type WorkerRef,
} from 'worker-runtime';
import { macrotask, median, now, perSecond, ratio, report, sanity, type Row } from './lib.js';

const BATCH = 1000;
const TRIALS = 3;
const TARGET_ONE_SUBSCRIBER = 1_000_000;
const TARGET_VS_EMITTER = 0.5;
const CASES = [
  { subscribers: 1, events: 1_000_000 },
  { subscribers: 100, events: 100_000 },
] as const;

const payloads: ProtocolEvent[] = Array.from({ length: 1024 }, (_, i) => ({ event: 'text_delta', data: { text: `token ${i} ` } }));
const payloadAt = (i: number): ProtocolEvent => payloads[i & 1023]!;

/** Publishes `events` payloads in batches, yielding a macrotask between batches. */
async function publishLoop(events: number, publish: (event: ProtocolEvent) => void): Promise<void> {
  for (let i = 0; i < events; i++) {
    publish(payloadAt(i));
    if ((i + 1) % BATCH === 0) await macrotask();
  }
}

/**
 * Memory bus: subscribe first, then publish; done when every subscriber counted every event.
 * `iterate` consumes with `for await` (one promise per frame); `batch` with `nextBatch()` (one promise
 * per wake-up, as the host's stream pump does).
 */
async function busRun(subscribers: number, events: number, mode: 'iterate' | 'batch' = 'iterate'): Promise<number> {
  const bus = new MemoryObservationBus(MemoryBusOptionsSchema.parse({}), new SystemClock(), new RandomIds());
  const worker: WorkerRef = { runtimeId: 'bench', workerId: 'publisher' };
  const consume = async (subscription: ObservationSubscription): Promise<string | null> => {
    let received = 0;
    if (mode === 'batch') {
      for (;;) {
        const batch = await subscription.nextBatch!(4096);
        if (batch.length === 0) return `subscription ended after ${received} events`;
        for (const frame of batch) {
          if (frame.type !== 'observation') return `unexpected ${frame.type} frame after ${received} events`;
          if (frame.observation.event !== payloadAt(received) || frame.observation.sequence !== received + 1) return `wrong event at ${received}`;
          if (++received === events) return null;
        }
      }
    }
    for await (const frame of subscription) {
      if (frame.type !== 'observation') return `unexpected ${frame.type} frame after ${received} events`;
      if (frame.observation.event !== payloadAt(received) || frame.observation.sequence !== received + 1) {
        return `wrong event at ${received}`;
      }
      if (++received === events) return null;
    }
    return `subscription ended after ${received} events`;
  };
  const done = Array.from({ length: subscribers }, () => consume(bus.subscribe(worker, { queueLimit: events })));
  const start = now();
  let last: ReturnType<MemoryObservationBus['publish']> | null = null;
  await publishLoop(events, (event) => void (last = bus.publish(worker, event)));
  const failures = (await Promise.all(done)).filter((f) => f !== null);
  const elapsed = now() - start;
  sanity(failures.length === 0, `memory bus: ${failures[0]}`);
  const final = await last!;
  sanity(final.ok && final.sequence === events, 'memory bus: last publish was not the last sequence');
  await bus.close();
  return events / (elapsed / 1000);
}

/** Bare EventEmitter: same payloads, same loop, each listener counts and checks what it got. */
async function emitterRun(listeners: number, events: number): Promise<number> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(listeners + 1);
  let finished = 0;
  let failure: string | null = null;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  for (let l = 0; l < listeners; l++) {
    let received = 0;
    emitter.on('event', (event: ProtocolEvent) => {
      if (event !== payloadAt(received)) failure ??= `wrong event at ${received}`;
      if (++received === events && ++finished === listeners) allDone();
    });
  }
  const start = now();
  await publishLoop(events, (event) => void emitter.emit('event', event));
  await done;
  const elapsed = now() - start;
  sanity(failure === null, `emitter: ${failure}`);
  return events / (elapsed / 1000);
}

/**
 * The floor of any AsyncIterable delivery: one shared bounded ring (the log), an absolute read index
 * per subscriber, a `for await` over it. No cursors, timestamps, lag bounds or control frames.
 */
const RING = 1 << 16; // > BATCH: the publisher is never more than one batch ahead of a subscriber
class MinimalLog {
  readonly slots: (ProtocolEvent | undefined)[] = new Array(RING);
  head = 0;
  readonly readers: MinimalReader[] = [];

  push(item: ProtocolEvent): void {
    this.slots[this.head++ & (RING - 1)] = item;
    for (const reader of this.readers) reader.wake();
  }
}

class MinimalReader implements AsyncIterableIterator<ProtocolEvent> {
  private index = 0;
  private waiter: ((r: IteratorResult<ProtocolEvent>) => void) | null = null;

  constructor(private readonly log: MinimalLog) {
    log.readers.push(this);
  }

  next(): Promise<IteratorResult<ProtocolEvent>> {
    if (this.index < this.log.head) return Promise.resolve({ done: false, value: this.log.slots[this.index++ & (RING - 1)]! });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  wake(): void {
    const waiter = this.waiter;
    if (!waiter || this.index >= this.log.head) return;
    this.waiter = null;
    waiter({ done: false, value: this.log.slots[this.index++ & (RING - 1)]! });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

async function floorRun(subscribers: number, events: number): Promise<number> {
  const log = new MinimalLog();
  const consume = async (reader: MinimalReader): Promise<string | null> => {
    let received = 0;
    for await (const event of reader) {
      if (event !== payloadAt(received)) return `wrong event at ${received}`;
      if (++received === events) return null;
    }
    return 'ended early';
  };
  const done = Array.from({ length: subscribers }, () => consume(new MinimalReader(log)));
  const start = now();
  await publishLoop(events, (event) => log.push(event));
  const failures = (await Promise.all(done)).filter((f) => f !== null);
  const elapsed = now() - start;
  sanity(failures.length === 0, `floor: ${failures[0]}`);
  return events / (elapsed / 1000);
}

const rows: Row[] = [];
for (const { subscribers, events } of CASES) {
  // Warm-up: a tenth of the run on each path.
  await busRun(subscribers, events / 10);
  await busRun(subscribers, events / 10, 'batch');
  await emitterRun(subscribers, events / 10);
  await floorRun(subscribers, events / 10);
  const bus: number[] = [];
  const batched: number[] = [];
  const emitter: number[] = [];
  const floor: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    bus.push(await busRun(subscribers, events));
    batched.push(await busRun(subscribers, events, 'batch'));
    emitter.push(await emitterRun(subscribers, events));
    floor.push(await floorRun(subscribers, events));
  }
  const iterateRate = median(bus);
  const busRate = median(batched);
  const emitterRate = median(emitter);
  const floorRate = median(floor);
  const versus = busRate / emitterRate;
  const label = `${subscribers} subscriber${subscribers > 1 ? 's' : ''}`;
  const vsEmitter = {
    figure: perSecond(busRate, 'events'),
    baseline: `${perSecond(emitterRate, 'events')} emitter`,
    ratio: `${ratio(versus)} of emitter`,
  };
  if (subscribers === 1) {
    rows.push({
      measurement: `memory bus (nextBatch consumers), ${label}, ${events / 1000}k events`,
      ...vsEmitter,
      target: '>= 1M events/s',
      pass: busRate >= TARGET_ONE_SUBSCRIBER,
    });
  }
  rows.push({
    measurement: `memory bus (nextBatch consumers) vs EventEmitter, ${label}`,
    ...vsEmitter,
    target: `>= ${TARGET_VS_EMITTER}x emitter`,
    pass: versus >= TARGET_VS_EMITTER,
  });
  rows.push({
    measurement: `  same, subscribers consuming with for-await (one promise per frame)`,
    figure: perSecond(iterateRate, 'events'),
    baseline: `${perSecond(emitterRate, 'events')} emitter`,
    ratio: `${ratio(iterateRate / emitterRate)} of emitter`,
    target: '',
    pass: null,
  });
  rows.push({
    measurement: `  deliveries (events x subscribers)`,
    figure: perSecond(busRate * subscribers, 'frames'),
    baseline: `${perSecond(emitterRate * subscribers, 'calls')} emitter`,
    ratio: '',
    target: '',
    pass: null,
  });
  rows.push({
    measurement: `  floor: minimal for-await channel, ${label}`,
    figure: perSecond(floorRate, 'events'),
    baseline: `${perSecond(emitterRate, 'events')} emitter`,
    ratio: `${ratio(floorRate / emitterRate)} of emitter`,
    target: '',
    pass: null,
  });
  rows.push({
    measurement: `  memory bus (for-await) vs floor, ${label}`,
    figure: perSecond(iterateRate, 'events'),
    baseline: `${perSecond(floorRate, 'events')} floor`,
    ratio: `${ratio(iterateRate / floorRate)} of floor`,
    target: '',
    pass: null,
  });
}

report('Publish: memory bus vs EventEmitter', rows, [
  `median of ${TRIALS} trials after a warm-up; wall time from first publish until every subscriber received every event;`,
  `publisher yields a macrotask every ${BATCH} events (same loop for all three); every subscriber verified all events in order, no lagged/end frame.`,
]);
process.exit(0);
