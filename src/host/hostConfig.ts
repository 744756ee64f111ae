import { z } from 'zod';
import { MemoryBusOptionsSchema } from '../adapters/memoryBus/memoryBusOptions.js';
import { RedisBusOptionsSchema } from '../adapters/redisBus/redisBusOptions.js';
import { RedisCatalogOptionsSchema } from '../adapters/redisCatalog/redisCatalogModule.js';
import { ProfileNameSchema, RuntimeOptionsSchema } from '../application/runtimeOptions.js';
import { BusySettingsSchema } from '../domain/busyPolicy.js';

/**
 * Backends the host builds by itself when a profile names them. `fake` is the scripted test double; `acp` runs ACP agents
 * (docs/acp.md); `workerBridge` runs yoi worker processes over their Unix socket (docs/worker-bridge.md).
 */
export const BackendKindSchema = z.enum(['fake', 'acp', 'workerBridge']);

/** A backend id a profile names: a built-in one, or one bound through `createHost(config, { backends })` (checked at start). */
export const BackendIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a backend id: a letter, then letters, digits, _ . - (at most 64)');

/** The placeholder profile's label: it names the next step (the start output says more). */
const NO_BACKEND = 'No backend: install an ACP agent (gemini, claude-agent-acp, codex-acp, opencode) or start with --config examples/host-fake.json';

const HostProfileSchema = z.strictObject({
  /** The id of the backend that executes this profile; null: Workers are unavailable placeholders. */
  backend: BackendIdSchema.nullable().default(null),
  options: z.unknown().optional(),
  displayName: z.string().max(128).optional(),
  /** Busy policy and queue bounds of this profile's Workers (docs/contract.md, Busy policies). */
  busy: BusySettingsSchema.optional(),
});

/** `{ retentionPerWorker: 5000 }` means the memory store: `kind` may be left out for it. */
function memoryUnlessNamed(value: unknown): unknown {
  return value && typeof value === 'object' && !Array.isArray(value) && !('kind' in value) ? { kind: 'memory', ...value } : value;
}

export const HostConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8787),
    })
    .prefault({}),
  /** Bearer token for every /v1 route; generated at start (and printed once) when absent. */
  token: z.string().min(16, 'token: at least 16 characters').max(512).optional(),
  /** Origins allowed to make cross-origin browser requests (exact `scheme://host[:port]`). */
  allowedOrigins: z.array(z.url()).default([]),
  /**
   * Host names (the `Host` header) served besides IP addresses, `localhost` and `.localhost` names,
   * the listen host and the public origin's name; any other name is refused (403
   * `host_not_allowed`), so a DNS-rebinding page cannot reach the API.
   */
  allowedHosts: z.array(z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9._-]+)$/, 'a host name or IP address, without port')).default([]),
  /** The origin browsers use when a TLS proxy sits in front (`https://agents.example.com`): allowed as an origin, its name as a host. */
  publicOrigin: z.url().optional(),
  /**
   * Trust `X-Forwarded-Proto` / `X-Forwarded-Host` from the proxy in front: `true` (any peer), or the
   * proxy addresses / CIDR ranges. The forwarded values then decide the request's own origin and host.
   */
  trustProxy: z.union([z.boolean(), z.array(z.string().min(1)).min(1)]).default(false),
  bodyLimitBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(512 * 1024),
  runtime: RuntimeOptionsSchema.omit({ profiles: true }).prefault({}),
  profiles: z.record(ProfileNameSchema, HostProfileSchema).default({ default: { backend: null, displayName: NO_BACKEND } }),
  /** Where observations live: in this process (`memory`) or shared by every host on one Redis (`redis`). */
  bus: z
    .preprocess(memoryUnlessNamed, z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('memory') }).extend(MemoryBusOptionsSchema.shape),
      z.strictObject({ kind: z.literal('redis') }).extend(RedisBusOptionsSchema.shape),
    ]))
    .prefault({ kind: 'memory' }),
  /** Where the Worker catalog lives; with `redis`, a restarted host brings its Workers back. */
  catalog: z
    .preprocess(memoryUnlessNamed, z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('memory') }),
      z.strictObject({ kind: z.literal('redis') }).extend(RedisCatalogOptionsSchema.shape),
    ]))
    .prefault({ kind: 'memory' }),
  streams: z
    .strictObject({
      heartbeatMs: z.number().int().min(100).max(300_000).default(15_000),
      /** Reconnect delay an EventSource is told to use (`retry:`). */
      retryMs: z.number().int().min(10).max(60_000).default(2_000),
      /** A stream client that reads nothing for this long after its socket filled is disconnected. */
      drainTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
      /** Per-subscriber queue for browser streams (overflow: `lagged`). */
      subscriberQueue: z.number().int().min(1).max(1_000_000).default(2048),
      /** WebSocket ping interval; a peer that misses a pong by the next ping is disconnected. */
      wsPingMs: z.number().int().min(100).max(600_000).default(30_000),
    })
    .prefault({}),
  idempotency: z
    .strictObject({
      maxKeys: z.number().int().min(1).max(1_000_000).default(10_000),
      ttlMs: z.number().int().min(1000).default(10 * 60_000),
    })
    .prefault({}),
  log: z
    .strictObject({
      /** Worker lifecycle changes are logged at info (warn/error with their diagnostics); request lines at debug. */
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** `pretty` lines for a terminal, `json` lines for a log collector; `auto`: pretty when stdout is a TTY. */
      format: z.enum(['auto', 'pretty', 'json']).default('auto'),
    })
    .prefault({}),
  /** Seconds allowed for graceful shutdown before the process exits anyway. */
  shutdownGraceMs: z.number().int().min(100).max(120_000).default(15_000),
});
export type HostConfig = z.infer<typeof HostConfigSchema>;
export type HostConfigInput = z.input<typeof HostConfigSchema>;
