/**
 * Benchmark: the Redis observation bus.
 *
 * 1. Publish throughput through RedisObservationBus (one Worker stream, 1000 publishes in flight; the
 *    bus sends what was published in one turn as one script run assigning the sequences atomically)
 *    vs raw ioredis pipelined `XADD ... MAXLEN ~` of the same payloads (the same JSON, built per event
 *    in both) in the same run. Target: >= 0.7x.
 *    The same with 1000 Workers, one event each in flight (the batch then spans 1000 streams), and
 *    with publishes awaited one at a time (round trips; informational).
 * 2. End-to-end latency from `publish` in this process to the observation arriving in a subscriber
 *    process (a child with its own bus and connections), publishes paced so nothing queues: median, p99.
 *
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); without it, it says so and exits 0.
 * Run: npx tsx bench/redisPublish.ts
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RandomIds, SystemClock, type ProtocolEvent } from 'worker-runtime';
import { RedisBusOptionsSchema, RedisObservationBus } from 'worker-runtime/redis';
import { median, ms, now, percentile, perSecond, ratio, report, sanity, type Row } from './lib.js';

const URL_ = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const IN_FLIGHT = 1_000;
const TRIALS = 3;
const RETENTION = 10_000;
const LATENCY_EVENTS = 2_000;
const TARGET = 0.7;
const prefix = `wr-bench:${process.pid}:`;
const payloads: ProtocolEvent[] = Array.from({ length: 1024 }, (_, i) => ({ event: 'text_delta', data: { text: `token ${i} ` } }));
const payloadAt = (i: number): ProtocolEvent => payloads[i & 1023]!;
const busOptions = (keyPrefix: string) => RedisBusOptionsSchema.parse({ url: URL_, keyPrefix, retentionPerWorker: RETENTION });

/** `workers`: events go round-robin to that many streams (1: every event to one stream). */
async function rawXadd(redis: Redis, key: string, workers: number): Promise<number> {
  const field = 'h0PtzN47pS7Z0'; // an epoch-sized field name, as the bus writes
  const started = now();
  for (let sent = 0; sent < EVENTS; sent += IN_FLIGHT) {
    const pipeline = redis.pipeline();
    for (let i = sent; i < sent + IN_FLIGHT; i++) {
      const json = JSON.stringify({ event: payloadAt(i), publishedAt: Date.now(), history: false });
      pipeline.xadd(`${key}:${i % workers}`, 'MAXLEN', '~', RETENTION, '*', field, json);
    }
    await pipeline.exec();
  }
  return EVENTS / ((now() - started) / 1000);
}

async function busPublish(bus: RedisObservationBus, workerId: string, workers: number): Promise<number> {
  const refs = Array.from({ length: workers }, (_, n) => ({ runtimeId: 'bench', workerId: `${workerId}-${n}` }));
  let failed = 0;
  const started = now();
  for (let sent = 0; sent < EVENTS; sent += IN_FLIGHT) {
    const batch = [];
    for (let i = sent; i < sent + IN_FLIGHT; i++) batch.push(bus.publish(refs[i % workers]!, payloadAt(i)));
    for (const result of await Promise.all(batch)) if (!result.ok) failed++;
  }
  const rate = EVENTS / ((now() - started) / 1000);
  sanity(failed === 0, `${failed} publishes failed`);
  return rate;
}

/** Sequential publishes (each awaited) vs sequential XADD: what a single awaiting producer gets. */
async function awaitedOneByOne(bus: RedisObservationBus, redis: Redis): Promise<[number, number]> {
  const worker = { runtimeId: 'bench', workerId: 'one-by-one' };
  const count = 20_000;
  let started = now();
  for (let i = 0; i < count; i++) sanity((await bus.publish(worker, payloadAt(i))).ok, 'publish failed');
  const through = count / ((now() - started) / 1000);
  started = now();
  for (let i = 0; i < count; i++) {
    const json = JSON.stringify({ event: payloadAt(i), publishedAt: Date.now(), history: false });
    await redis.xadd(`${prefix}raw:one-by-one`, 'MAXLEN', '~', RETENTION, '*', 'h0PtzN47pS7Z0', json);
  }
  return [through, count / ((now() - started) / 1000)];
}

async function latency(bus: RedisObservationBus): Promise<{ median: number; p99: number }> {
  const workerId = 'latency';
  const worker = { runtimeId: 'bench', workerId };
  const script = fileURLToPath(new URL('redisSubscriber.js', import.meta.url));
  const child = spawn(process.execPath, [script, URL_, `${prefix}bus:`, workerId, String(LATENCY_EVENTS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const wallNow = (): number => performance.timeOrigin + performance.now();
  while (!lines.includes("ready")) {
    await bus.publish(worker, { event: 'text_delta', data: { text: 'warm-up', warmup: true } });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    await bus.publish(worker, { event: 'text_delta', data: { text: `token ${i} `, t: wallNow() } });
    await new Promise((resolve) => setTimeout(resolve, 1)); // paced: latency, not queueing
  }
  await exited;
  const { latencies, lost } = JSON.parse(lines.find((l) => l.startsWith('{'))!) as { latencies: number[]; lost: number };
  sanity(lost === 0 && latencies.length === LATENCY_EVENTS, `subscriber got ${latencies.length} of ${LATENCY_EVENTS} (${lost} control frames)`);
  return { median: median(latencies), p99: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  const redis = new Redis(URL_, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch {
    console.log(`Redis unreachable at ${URL_}: skipping the Redis benchmark (set REDIS_URL or start redis-server)`);
    return;
  }
  const bus = new RedisObservationBus(busOptions(`${prefix}bus:`), new SystemClock(), new RandomIds());
  await bus.connect();
  const rows: Row[] = [];
  try {
    await busPublish(bus, 'warmup', 1);
    await rawXadd(redis, `${prefix}raw:warmup`, 1);
    for (const [workers, target] of [[1, TARGET], [IN_FLIGHT, TARGET]] as const) {
      const raw: number[] = [];
      const through: number[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        raw.push(await rawXadd(redis, `${prefix}raw:${workers}:${trial}`, workers));
        through.push(await busPublish(bus, `w${workers}-${trial}`, workers));
      }
      const [rate, baseline] = [median(through), median(raw)];
      rows.push({
        measurement: workers === 1 ? 'publish, 1 Worker, 1000 in flight' : `publish, ${workers} Workers, 1 event each in flight`,
        figure: perSecond(rate, 'events'),
        baseline: `raw pipelined XADD ${perSecond(baseline, 'events')}`,
        ratio: ratio(rate / baseline),
        target: target === null ? '' : `>= ${target}x`,
        pass: target === null ? null : rate / baseline >= target,
      });
    }
    const [one, oneRaw] = await awaitedOneByOne(bus, redis);
    rows.push({
      measurement: 'publish awaited one at a time (round trips)',
      figure: perSecond(one, 'events'),
      baseline: `XADD awaited one at a time ${perSecond(oneRaw, 'events')}`,
      ratio: ratio(one / oneRaw),
      target: '',
      pass: null,
    });
    const lat = await latency(bus);
    rows.push({ measurement: 'publish -> subscriber in another process, median', figure: ms(lat.median), baseline: '', ratio: '', target: '', pass: null });
    rows.push({ measurement: 'publish -> subscriber in another process, p99', figure: ms(lat.p99), baseline: '', ratio: '', target: '', pass: null });
    const note = `${EVENTS} events per trial, median of ${TRIALS} trials, retention ${RETENTION} (MAXLEN ~); latency over ${LATENCY_EVENTS} events paced 1 ms apart`;
    report('Redis observation bus', rows, [note]);
  } finally {
    await bus.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

await main();
