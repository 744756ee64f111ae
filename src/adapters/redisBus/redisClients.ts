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
// the connection drops fails (never resent), and the client keeps reconnecting in the background.
function baseOptions(options: RedisBusOptions, name: string): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: options.connectTimeoutMs,
    connectionName: name,
    protocol: 2, // replies in RESP2 shapes (`XREAD` as `[key, entries][]`), whatever the server speaks
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  };
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
  const kind = (error as Error | undefined)?.name === 'ReplyError' ? 'refused the command' : /timed out/i.test(text) ? 'timed out' : 'unreachable';
  return { ok: false, reason: 'bus_error', message: `observation bus: Redis ${kind}` };
}
