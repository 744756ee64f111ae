import { Redis } from 'ioredis';

/**
 * The Redis URL for tests that need one (REDIS_URL, default redis://127.0.0.1:6379), or null when
 * Redis is unreachable outside CI (tests then skip with this message). In CI an unreachable Redis fails.
 */
export async function redisOrSkip(): Promise<string | null> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1_000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return url;
  } catch (error) {
    if (process.env.CI) throw new Error(`Redis is required in CI but unreachable at ${url}: ${(error as Error).message}`);
    console.warn(`skipping Redis tests: Redis unreachable at ${url} (set REDIS_URL or start redis-server)`);
    return null;
  } finally {
    probe.disconnect();
  }
}
