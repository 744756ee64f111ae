/**
 * Benchmark: the Redis observation bus.
 *
 * 1. Publish throughput through RedisObservationBus (one Worker stream, 1000 publishes in flight; the
 *    bus sends what was published in one turn as one script run assigning the sequences atomically)
 *    vs raw ioredis pipelined `XADD ... MAXLEN ~` of the same payloads (the same JSON, built per event
 *    in both) in the same run. Target: >= 0.7x.
 *    The same with 1000 Workers, one event each in flight (the batch then spans 1000 streams), and
 *    with publishes awaited one at a time (round trips; informational).
 * 2. Cross-process latency as a round trip on this process's clock: `publish` here, the observation
 *    read by a subscriber process (a child with its own bus and connections), which echoes its id back
 *    over its stdout. Baseline, in the same run, alternating: raw `XADD` here, a bare `XREAD BLOCK` loop
 *    in the same child, the same echo. Median and p99; target p99 <= 1.5x raw.
 *
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); without it, it says so and exits 0.
 * Run: npm run bench -- redis
 */
import { spawn } from 'node:child_process';
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
const LATENCY_TARGET = 1.5;
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

/**
 * Round trips on this process's monotonic clock: an event published here, read by the subscriber
 * process, echoed back over its stdout. Ours: `bus.publish` -> the subscriber's RedisObservationBus
 * subscription -> echo. Raw: `XADD` -> the same process's bare `XREAD BLOCK` loop -> echo. Both share
 * the echo channel (a pipe), so the ratio compares the Redis legs; the two alternate, one at a time,
 * paced so nothing queues.
 */
async function latency(bus: RedisObservationBus, redis: Redis): Promise<{ ours: number[]; raw: number[] }> {
  const workerId = 'latency';
  const worker = { runtimeId: 'bench', workerId };
  const rawKey = `${prefix}raw:latency`;
  const script = fileURLToPath(new URL('redisSubscriber.js', import.meta.url));
  const child = spawn(process.execPath, [script, URL_, `${prefix}bus:`, workerId, rawKey], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<string, () => void>();
  let ready = false;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (buffered + chunk).split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') ready = true;
      sanity(!line.startsWith('lost'), `the subscriber got a ${line.slice(5)} frame`);
      const resolve = waiting.get(line);
      waiting.delete(line);
      resolve?.();
    }
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const echoed = (line: string) =>
    new Promise<void>((resolve) => {
      const late = setTimeout(() => sanity(false, `no echo of "${line}" within 10 s`), 10_000);
      waiting.set(line, () => (clearTimeout(late), resolve()));
    });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
  while (!ready) {
    await bus.publish(worker, { event: 'text_delta', data: { text: 'warm-up', warmup: true } });
    await redis.xadd(rawKey, 'MAXLEN', '~', RETENTION, '*', 'id', 'warmup');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ours: number[] = [];
  const raw: number[] = [];
  const timeOurs = async (i: number) => {
    const back = echoed(`b ${i}`);
    const start = now();
    void bus.publish(worker, { event: 'text_delta', data: { text: `token ${i} `, id: i } }).then((r) => sanity(r.ok, `latency publish ${i} failed`));
    await back;
    ours.push(now() - start);
  };
  const timeRaw = async (i: number) => {
    const back = echoed(`r ${i}`);
    const start = now();
    redis.xadd(rawKey, 'MAXLEN', '~', RETENTION, '*', 'id', String(i), 'json', JSON.stringify({ event: payloadAt(i), publishedAt: Date.now() })).catch(() => sanity(false, `raw XADD ${i} failed`));
    await back;
    raw.push(now() - start);
  };
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    // Alternating which goes first, so neither always follows the other's wake-up.
    for (const step of i % 2 ? [timeOurs, timeRaw] : [timeRaw, timeOurs]) {
      await step(i);
      await pause();
    }
  }
  child.stdin.end();
  await exited;
  return { ours, raw };
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
    const lat = await latency(bus, redis);
    const [p50, p99, raw50, raw99] = [median(lat.ours), percentile(lat.ours, 99), median(lat.raw), percentile(lat.raw, 99)];
    const rt = 'publish -> subscriber process -> echo back, round trip';
    rows.push({ measurement: `${rt}, median`, figure: ms(p50), baseline: `raw XADD -> XREAD -> echo ${ms(raw50)}`, ratio: ratio(p50 / raw50), target: '', pass: null });
    rows.push({ measurement: `${rt}, p99`, figure: ms(p99), baseline: `raw XADD -> XREAD -> echo ${ms(raw99)}`, ratio: ratio(p99 / raw99), target: `<= ${LATENCY_TARGET}x`, pass: p99 / raw99 <= LATENCY_TARGET });
    const note = `${EVENTS} events per trial, median of ${TRIALS} trials, retention ${RETENTION} (MAXLEN ~); latency: ${LATENCY_EVENTS} round trips each, ours and raw alternating, paced 1 ms apart, timed on the publisher\'s monotonic clock (the subscriber echoes each arrival over its stdout)`;
    report('Redis observation bus', rows, [note]);
  } finally {
    await bus.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

await main();
