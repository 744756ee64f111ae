import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { InputQueuePort } from '../../ports/inputQueuePort.js';
import { WorkerCatalogPort } from '../../ports/workerCatalogPort.js';
import { RedisInputQueue } from './redisInputQueue.js';
import { RedisWorkerCatalog } from './redisWorkerCatalog.js';

export const RedisCatalogOptionsSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  keyPrefix: z.string().regex(/^[A-Za-z0-9:._-]{0,64}$/, 'key prefix: up to 64 of A-Z a-z 0-9 : . _ -').default('wr:'),
  /** A command without a reply for this long fails (a catalog write is then retried by the Runtime). */
  commandTimeoutMs: z.number().int().min(50).max(600_000).default(5_000),
  /** How long `connect()` waits for Redis before it rejects. */
  connectTimeoutMs: z.number().int().min(50).max(60_000).default(2_000),
  /** How often this process checks that Redis kept the catalog it wrote (rewritten when it did not). */
  checkMs: z.number().int().min(100).max(600_000).default(2_000),
});
export type RedisCatalogOptions = z.input<typeof RedisCatalogOptionsSchema>;

/**
 * Binds a Redis catalog (also under its class, so a host can `connect()` it before restoring Workers
 * and `close()` it at shutdown) and the input queues in Redis, on the same connection and prefix (a
 * host restart loses no queued input). Nothing connects while the container is built.
 */
export function redisCatalogModule(options: RedisCatalogOptions = {}): ContainerModule {
  const { url, keyPrefix, ...settings } = RedisCatalogOptionsSchema.parse(options);
  const catalog = new RedisWorkerCatalog(url, keyPrefix, settings);
  return new ContainerModule(({ bind }) => {
    bind(RedisWorkerCatalog).toConstantValue(catalog);
    bind(WorkerCatalogPort).toConstantValue(catalog);
    bind(InputQueuePort).toConstantValue(new RedisInputQueue(catalog.client, keyPrefix));
  });
}
