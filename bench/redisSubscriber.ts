/**
 * The subscriber process of bench/redisPublish.ts: subscribes to one Worker through its own
 * RedisObservationBus, says `ready` once the first (warm-up) observation arrived, then records for
 * each observation the time from its publish (`data.t`, wall-clock ms with sub-ms precision, set by
 * the publishing process) to its arrival here, and prints the latencies as one JSON line at the end.
 *
 * Run by redisPublish.ts: node --import tsx bench/redisSubscriber.ts <url> <keyPrefix> <workerId> <count>
 */
import { performance } from 'node:perf_hooks';
import { RandomIds, SystemClock } from 'worker-runtime';
import { RedisBusOptionsSchema, RedisObservationBus } from 'worker-runtime/redis';

const [url, keyPrefix, workerId, countText] = process.argv.slice(2);
const count = Number(countText);
const wallNow = (): number => performance.timeOrigin + performance.now();

const bus = new RedisObservationBus(RedisBusOptionsSchema.parse({ url, keyPrefix, readerConnections: 1 }), new SystemClock(), new RandomIds());
await bus.connect();
const subscription = bus.subscribe({ runtimeId: 'bench', workerId: workerId! }, { queueLimit: 1_000_000 });
const latencies: number[] = [];
let ready = false;
let lost = 0;
for await (const frame of subscription) {
  const arrived = wallNow();
  if (frame.type !== 'observation') {
    lost++;
    break;
  }
  const data = frame.observation.event.data as { t?: number; warmup?: boolean };
  if (data.warmup) {
    if (!ready) process.stdout.write('ready\n');
    ready = true;
    continue;
  }
  latencies.push(arrived - data.t!);
  if (latencies.length === count) break;
}
subscription.close();
await bus.close();
process.stdout.write(`${JSON.stringify({ latencies, lost })}\n`);
