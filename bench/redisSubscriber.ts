/**
 * The subscriber process of bench/redisPublish.ts's latency rows. It reads two streams at once and echoes
 * each arrival straight back to the publishing process on its stdout, so the publisher measures round
 * trips on its own monotonic clock (no clock is compared across processes):
 * - ours: one Worker through its own RedisObservationBus subscription; each observation's `data.id`
 *   is echoed as `b <id>`;
 * - raw: a bare `XREAD BLOCK` loop on a plain stream key over its own connection; each entry's id
 *   field is echoed as `r <id>`.
 * It says `ready` once both have seen a warm-up entry, and exits when its stdin closes.
 *
 * Run by redisPublish.ts: node .bench-js/redisSubscriber.js <url> <keyPrefix> <workerId> <rawKey>
 */
import { Redis } from 'ioredis';
import { RandomIds, SystemClock } from 'worker-runtime';
import { RedisBusOptionsSchema, RedisObservationBus } from 'worker-runtime/redis';

const [url, keyPrefix, workerId, rawKey] = process.argv.slice(2);
const echo = (line: string): void => void process.stdout.write(`${line}\n`);

let busReady = false;
let rawReady = false;
let said = false;
const warmedUp = (): void => {
  if (busReady && rawReady && !said) echo('ready');
  said ||= busReady && rawReady;
};

const bus = new RedisObservationBus(RedisBusOptionsSchema.parse({ url, keyPrefix, readerConnections: 1 }), new SystemClock(), new RandomIds());
await bus.connect();
const subscription = bus.subscribe({ runtimeId: 'bench', workerId: workerId! }, { queueLimit: 1_000_000 });
const raw = new Redis(url!, { maxRetriesPerRequest: 0 });
raw.on('error', () => undefined);
let stopping = false;
process.stdin.on('data', () => undefined);
process.stdin.once('end', () => {
  stopping = true;
  subscription.close();
  raw.disconnect();
  void bus.close().then(() => process.exit(0));
});

async function readBus(): Promise<void> {
  for await (const frame of subscription) {
    if (frame.type !== 'observation') {
      echo(`lost ${frame.type}`);
      return;
    }
    const data = frame.observation.event.data as { id?: number; warmup?: boolean };
    if (data.warmup) {
      busReady = true;
      warmedUp();
    } else echo(`b ${data.id}`);
  }
}

async function readRaw(): Promise<void> {
  let last = '$';
  while (!stopping) {
    const reply = (await raw.xread('BLOCK', 0, 'STREAMS', rawKey!, last).catch(() => null)) as [string, [string, string[]][]][] | null;
    if (!reply) continue;
    for (const [id, fields] of reply[0]![1]) {
      last = id;
      if (fields[1] === 'warmup') {
        rawReady = true;
        warmedUp();
      } else echo(`r ${fields[1]}`);
    }
  }
}

void readBus();
void readRaw();
