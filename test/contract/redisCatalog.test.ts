import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCatalogModule } from '../../src/adapters/redisCatalog/redisCatalogModule.js';
import { RedisWorkerCatalog } from '../../src/adapters/redisCatalog/redisWorkerCatalog.js';
import type { CatalogEntry } from '../../src/ports/workerCatalogPort.js';
import { eventually } from '../../src/testing/index.js';
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

  it('never trusts a corrupt entry, never drops it silently: it loads as unavailable with catalog_entry_corrupt', async () => {
    const catalog = new RedisWorkerCatalog(redis, prefix);
    const stolen = JSON.stringify({ ...entry('other'), workerId: 'other' });
    await redis.hset(`${prefix}catalog:c`, 'bad', '{"workerId":1,"profile":"fake","runGeneration":4}', 'worse', 'not json', 'moved', stolen);
    await redis.hset(`${prefix}catalog:c`, 'not a worker id!', '{}');
    await catalog.save('c', entry('good'));
    const loaded = new Map((await catalog.load('c')).map((e) => [e.workerId, e]));
    expect([...loaded.keys()].sort()).toEqual(['bad', 'good', 'moved', 'worse']);
    expect(loaded.get('good')).toEqual(entry('good'));
    for (const id of ['bad', 'worse', 'moved']) {
      expect(loaded.get(id)).toMatchObject({ state: 'unavailable', restoreToken: null, diagnostic: { code: 'catalog_entry_corrupt', severity: 'error' } });
    }
    expect(loaded.get('bad')).toMatchObject({ profile: 'fake', runGeneration: 4 }); // what can still be read safely
    expect(loaded.get('worse')).toMatchObject({ profile: 'unknown', runGeneration: 1 });
    expect(await catalog.get('c', 'worse')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'catalog_entry_corrupt' } });
  });

  it('tells its listeners when Redis lost writes it made (the revision went back), not otherwise', async () => {
    const catalog = new RedisWorkerCatalog(redis, prefix, { checkMs: 100 });
    const lost: string[] = [];
    catalog.onLoss((runtimeId) => lost.push(runtimeId));
    await catalog.save('d', entry('w1'));
    await catalog.save('d', entry('w1', 2));
    await catalog.remove('d', 'w1');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(lost).toEqual([]);
    await redis.del(`${prefix}catalog:d`, `${prefix}catalog-rev:d`); // what a restart without persistence does
    await catalog.save('d', entry('w2'));
    expect(lost).toEqual(['d']);
    await redis.set(`${prefix}catalog-rev:d`, '0'); // older data (a rollback), found by the periodic check
    expect(await eventually(() => lost.length === 2, 5_000)).toBe(true);
    expect(lost).toEqual(['d', 'd']);
    await catalog.close();
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
