import { Redis } from 'ioredis';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { RedisBusOptionsSchema, RedisObservationBus, type RedisBusOptionsInput } from '../../src/adapters/redisBus/index.js';

let unique = 0;

/** A key prefix no other test (or process) uses. */
export function uniquePrefix(tag = 'obs'): string {
  return `wr-test:${tag}:${process.pid}:${Date.now().toString(36)}:${unique++}:`;
}

/** A connected bus over `url`; the caller closes it. */
export async function connectedBus(options: RedisBusOptionsInput): Promise<RedisObservationBus> {
  const bus = new RedisObservationBus(RedisBusOptionsSchema.parse(options), new SystemClock(), new RandomIds());
  await bus.connect();
  return bus;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export { canSpawnRedis, freePort, PrivateRedis } from './redisServer.js';
