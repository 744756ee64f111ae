import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCatalogModule } from '../../src/adapters/redisCatalog/redisCatalogModule.js';
import { RedisWorkerCatalog } from '../../src/adapters/redisCatalog/redisWorkerCatalog.js';
import type { CatalogEntry } from '../../src/ports/workerCatalogPort.js';
import { redisOrSkip } from '../support/redis.js';

const redisUrl = await redisOrSkip();

describe.skipIf(!redisUrl)('RedisWorkerCatalog (real Redis)', () => {
  let redis: Redis;
  const prefix = `wr-test-${process.pid}-${Date.now()}:`;
  const entry = (workerId: string, runGeneration = 1): CatalogEntry => ({
    workerId,
    profile: 'fake',
    displayName: null,
    state: 'idle',
    diagnostic: null,
    runGeneration,
    restoreToken: 'token',
    createdAt: 1,
    updatedAt: 2,
  });
  beforeAll(() => {
    redis = new Redis(redisUrl!);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('saves, loads, gets and removes entries per Runtime', async () => {
    const catalog = new RedisWorkerCatalog(redis, prefix);
    await catalog.save('a', entry('w1'));
    await catalog.save('a', entry('w1', 2));
    await catalog.save('b', entry('w2'));
    expect(await catalog.load('a')).toEqual([entry('w1', 2)]);
    expect(await catalog.get('b', 'w2')).toEqual(entry('w2'));
    await catalog.remove('a', 'w1');
    expect(await catalog.load('a')).toEqual([]);
  });

  it('skips a corrupt entry instead of trusting it', async () => {
    const catalog = new RedisWorkerCatalog(redis, prefix);
    await redis.hset(`${prefix}catalog:c`, 'bad', '{"workerId":1}', 'worse', 'not json');
    await catalog.save('c', entry('good'));
    expect((await catalog.load('c')).map((e) => e.workerId)).toEqual(['good']);
  });

  it('an unreachable Redis at start is a clear error', async () => {
    const catalog = new RedisWorkerCatalog('redis://127.0.0.1:1', prefix);
    await expect(catalog.connect()).rejects.toThrow(/Redis catalog unreachable at 127\.0\.0\.1:1/);
    await catalog.close();
  });

  it('its module binds one catalog under the port and the class', async () => {
    const { Container } = await import('inversify');
    const { WorkerCatalogPort } = await import('../../src/ports/workerCatalogPort.js');
    const container = new Container();
    container.load(redisCatalogModule({ url: redisUrl!, keyPrefix: prefix }));
    const catalog = container.get(RedisWorkerCatalog);
    expect(container.get(WorkerCatalogPort)).toBe(catalog);
    await catalog.connect();
    await catalog.close();
  });
});
