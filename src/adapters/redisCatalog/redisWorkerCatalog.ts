import type { Redis } from 'ioredis';
import { CatalogEntrySchema, type CatalogEntry, type WorkerCatalogPort } from '../../ports/workerCatalogPort.js';

/**
 * The Worker catalog in Redis: one hash per Runtime (`<prefix>catalog:<runtimeId>`), field = Worker id,
 * value = the entry's JSON. Entries are parsed on the way in; a corrupt one is skipped, never trusted.
 */
export class RedisWorkerCatalog implements WorkerCatalogPort {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'wr:',
  ) {}

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

function parse(json: string): CatalogEntry | null {
  try {
    const parsed = CatalogEntrySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
