import { Redis } from 'ioredis';
import { CatalogEntrySchema, type CatalogEntry, type WorkerCatalogPort } from '../../ports/workerCatalogPort.js';

/**
 * The Worker catalog in Redis: one hash per Runtime (`<prefix>catalog:<runtimeId>`), field = Worker id,
 * value = the entry's JSON. Entries are parsed on the way in; a corrupt one is skipped, never trusted.
 * The client fails fast while Redis is unreachable (no offline queue): writes reject, the Runtime goes on.
 */
export class RedisWorkerCatalog implements WorkerCatalogPort {
  private readonly redis: Redis;
  private readonly owned: boolean;

  constructor(
    redis: Redis | string,
    private readonly prefix = 'wr:',
  ) {
    this.owned = typeof redis === 'string';
    this.redis =
      typeof redis === 'string'
        ? new Redis(redis, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 })
        : redis;
    this.redis.on('error', () => undefined); // surfaced as rejected commands, never an unhandled 'error'
  }

  /** Connects (when this catalog made its client); rejects with a clear message when Redis is unreachable. */
  async connect(): Promise<void> {
    try {
      if (this.owned && this.redis.status === 'wait') await this.redis.connect();
      await this.redis.ping();
    } catch (error) {
      throw new Error(`Redis catalog unreachable at ${describe(this.redis)}: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async load(runtimeId: string): Promise<CatalogEntry[]> {
    const fields = await this.redis.hgetall(this.key(runtimeId));
    return Object.values(fields).flatMap((json) => {
      const entry = parse(json);
      return entry ? [entry] : [];
    });
  }

  async get(runtimeId: string, workerId: string): Promise<CatalogEntry | null> {
    const json = await this.redis.hget(this.key(runtimeId), workerId);
    return json === null ? null : parse(json);
  }

  async save(runtimeId: string, entry: CatalogEntry): Promise<void> {
    await this.redis.hset(this.key(runtimeId), entry.workerId, JSON.stringify(entry));
  }

  async remove(runtimeId: string, workerId: string): Promise<void> {
    await this.redis.hdel(this.key(runtimeId), workerId);
  }

  private key(runtimeId: string): string {
    return `${this.prefix}catalog:${runtimeId}`;
  }
}

function describe(redis: Redis): string {
  const { host, port } = redis.options;
  return `${host ?? '?'}:${port ?? '?'}`;
}

function parse(json: string): CatalogEntry | null {
  try {
    const parsed = CatalogEntrySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
