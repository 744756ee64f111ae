import { Redis, type RedisOptions } from 'ioredis';
import type { PublishResult } from '../../ports/executionContext.js';
import type { RedisBusOptions } from './redisBusOptions.js';

/** Redis could not be reached when the bus connected (or was already closed): a host start-up failure. */
export class RedisBusUnavailableError extends Error {
  readonly code = 'redis_unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisBusUnavailableError';
  }
}

// Fail fast instead of hanging: nothing queues while Redis is unreachable, a command under way when
// the connection drops fails (never resent), every command has a deadline (a frozen server answers
// nothing), a socket being closed is destroyed if the server does not close its side, and the client
// keeps reconnecting in the background.
export function failFastOptions(connectTimeoutMs: number, name: string): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: connectTimeoutMs,
    disconnectTimeout: 200,
    connectionName: name,
    protocol: 2, // replies in RESP2 shapes (`XREAD` as `[key, entries][]`), whatever the server speaks
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  };
}

function baseOptions(options: RedisBusOptions, name: string): RedisOptions {
  return failFastOptions(options.connectTimeoutMs, name);
}

/** The connection for publishes, metadata reads, replay pages and `CLIENT UNBLOCK`. */
export function commandClient(options: RedisBusOptions): Redis {
  const redis = new Redis(options.url, { ...baseOptions(options, 'wr-obs'), commandTimeout: options.commandTimeoutMs });
  redis.on('error', () => undefined); // surfaced as failed commands, not as an unhandled 'error'
  return redis;
}

/** A blocking reader connection; its timeout leaves room for the longest `XREAD BLOCK`. */
export function readerClient(options: RedisBusOptions): Redis {
  const commandTimeout = options.blockMs + options.commandTimeoutMs;
  const redis = new Redis(options.url, { ...baseOptions(options, 'wr-obs-reader'), commandTimeout });
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves when the client is ready; rejects on its first connection error or after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => settle();
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', onReady);
    redis.once('error', settle);
  });
}

/** `QUIT` if Redis answers within `ms`, then the connection is closed whatever it did. Never rejects. */
export async function quitWithin(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([redis.quit().catch(() => undefined), late]);
    clearTimeout(timer);
  }
  redis.disconnect();
}

/** `host:port` of a Redis URL, never its credentials. */
export function redisHost(url: string): string {
  try {
    return new URL(url).host || url.split('@').pop()!;
  } catch {
    return '(invalid url)';
  }
}

/** A failed command as a publish result; the message names the kind of failure, no address. */
export function busError(error: unknown): PublishResult {
  const text = String((error as Error | undefined)?.message ?? error);
  // A command sent but not answered (timed out, connection lost) may have run or still run: say so,
  // a retry could store the event twice. One never sent was not stored.
  let kind = 'connection lost (the event may have been stored)';
  if ((error as Error | undefined)?.name === 'ReplyError') kind = 'refused the command (not stored)';
  else if (/timed out/i.test(text)) kind = 'timed out (the event may still be stored)';
  else if (/writeable|unreachable|not connected/i.test(text) || (error as { code?: string })?.code === 'ECONNREFUSED') kind = 'unreachable (not stored)';
  return { ok: false, reason: 'bus_error', message: `observation bus: Redis ${kind}` };
}
