import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';

export const RedisBusOptionsSchema = z.strictObject({
  /** `redis://` or `rediss://` URL (credentials, database and TLS as ioredis understands them). */
  url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  /** Prepended to every key; processes sharing a prefix share the streams. No `{` or `}` (hash tags). */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{0,64}$/, 'key prefix: up to 64 of A-Z a-z 0-9 : . _ -')
    .default('wr:obs:'),
  /** Observations retained per Worker (resume older than that gets `expired`); Redis trims with `MAXLEN ~`. */
  retentionPerWorker: z.number().int().min(1).max(10_000_000).default(10_000),
  /** Default unread live observations a subscriber may hold before `lagged`. */
  subscriberQueue: z.number().int().min(1).max(1_000_000).default(1024),
  /** Blocking connections per process reading every subscribed Worker stream (`XREAD BLOCK`). */
  readerConnections: z.number().int().min(1).max(32).default(2),
  /** `XREAD BLOCK` timeout; idle readers re-check stream epochs this often. */
  blockMs: z.number().int().min(10).max(60_000).default(2_000),
  /** How long `connect()` waits for Redis before it rejects. */
  connectTimeoutMs: z.number().int().min(50).max(60_000).default(2_000),
  /** A command without a reply for this long fails (publish answers `bus_error`). */
  commandTimeoutMs: z.number().int().min(50).max(600_000).default(5_000),
});
export type RedisBusOptions = z.infer<typeof RedisBusOptionsSchema>;
export type RedisBusOptionsInput = z.input<typeof RedisBusOptionsSchema>;

export const RedisBusOptions: ServiceIdentifier<RedisBusOptions> = Symbol.for('worker-runtime/RedisBusOptions');
