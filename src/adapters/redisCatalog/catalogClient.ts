import { Redis } from 'ioredis';

/**
 * A catalog connection that fails fast instead of hanging: nothing queues while Redis is unreachable,
 * every command has a deadline (a frozen server answers nothing), a socket being closed is destroyed
 * if the server does not close its side, and the client reconnects in the background.
 */
export function catalogClient(url: string, connectTimeoutMs: number, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    disconnectTimeout: 200,
    connectionName: 'wr-catalog',
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  });
}

/** Resolves once the client answers `PING`; rejects on a connection error or after `ms`. */
export async function readyWithin(redis: Redis, ms: number, connect: boolean): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  try {
    const ready = (async () => {
      if (connect && redis.status === 'wait') await redis.connect();
      await redis.ping();
    })();
    ready.catch(() => undefined);
    await Promise.race([ready, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `QUIT` if Redis answers within `ms`, then the connection is closed whatever it did. Never rejects. */
export async function closeWithin(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([redis.quit().catch(() => undefined), late]);
    clearTimeout(timer);
  }
  redis.disconnect();
}
