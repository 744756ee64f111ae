import { ContainerModule } from 'inversify';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { WorkerCatalogPort } from '../../ports/workerCatalogPort.js';
import { RedisWorkerCatalog } from './redisWorkerCatalog.js';

export const RedisCatalogOptionsSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
  keyPrefix: z.string().max(64).default('wr:'),
});
export type RedisCatalogOptions = z.input<typeof RedisCatalogOptionsSchema>;

/** A Redis client that fails fast instead of queueing while Redis is unreachable. */
export function catalogClient(url: string): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
}

/**
 * Connects to Redis (rejecting with a clear message when it is unreachable) and returns the module
 * binding the Redis catalog, plus a `close` for shutdown.
 */
export async function redisCatalogModule(options: RedisCatalogOptions): Promise<{ module: ContainerModule; close(): Promise<void> }> {
  const { url, keyPrefix } = RedisCatalogOptionsSchema.parse(options);
  const redis = catalogClient(url);
  redis.on('error', () => undefined); // surfaced as rejected commands, not as an unhandled 'error'
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis catalog unreachable at ${new URL(url).host}: ${(error as Error).message}`);
  }
  const catalog = new RedisWorkerCatalog(redis, keyPrefix);
  return {
    module: new ContainerModule(({ bind }) => void bind(WorkerCatalogPort).toConstantValue(catalog)),
    close: async () => void (await redis.quit().catch(() => redis.disconnect())),
  };
}
