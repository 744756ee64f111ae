import { Redis } from 'ioredis';
import { type CatalogEntry, type WorkerCatalogPort } from '../../ports/workerCatalogPort.js';
import { catalogClient, closeWithin, readyWithin } from './catalogClient.js';
import { parseEntry } from './catalogEntries.js';
import { CatalogRevisions } from './catalogRevisions.js';

export interface RedisCatalogSettings {
  /** A command without a reply for this long fails (the catalog call rejects). */
  readonly commandTimeoutMs: number;
  /** How long `connect()` waits for Redis. */
  readonly connectTimeoutMs: number;
  /** How often the catalogs this process wrote are checked for loss (also on every reconnect). */
  readonly checkMs: number;
}

const DEFAULTS: RedisCatalogSettings = { commandTimeoutMs: 5_000, connectTimeoutMs: 2_000, checkMs: 2_000 };

// Each write bumps the Runtime's revision counter in the same script, so a catalog that came back
// older (a Redis restart without persistence, a rollback) is told apart from one that did not change.
const SAVE = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('INCR', KEYS[2])`;
const REMOVE = `redis.call('HDEL', KEYS[1], ARGV[1]) return redis.call('INCR', KEYS[2])`;
const LOAD = `return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2])}`;

type Call = (...args: string[]) => Promise<unknown>;

/**
 * The Worker catalog in Redis: one hash per Runtime (`<prefix>catalog:<runtimeId>`), field = Worker id,
 * value = the entry's JSON, and a revision counter (`<prefix>catalog-rev:<runtimeId>`). Entries are
 * parsed on the way in; one that does not parse comes back as `unavailable` with the diagnostic
 * `catalog_entry_corrupt` (never trusted, never silently gone). Every command has a deadline and
 * nothing queues while Redis is unreachable: calls reject, the Runtime goes on. When a catalog this
 * process writes is found to have lost writes, `onLoss` listeners are told (the Runtime rewrites it).
 */
export class RedisWorkerCatalog implements WorkerCatalogPort {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly settings: RedisCatalogSettings;
  private readonly revisions: CatalogRevisions;
  private readonly commands: Record<'wrCatalogSave' | 'wrCatalogRemove' | 'wrCatalogLoad', Call>;

  constructor(
    redis: Redis | string,
    private readonly prefix = 'wr:',
    settings: Partial<RedisCatalogSettings> = {},
  ) {
    this.settings = { ...DEFAULTS, ...settings };
    this.owned = typeof redis === 'string';
    this.redis = typeof redis === 'string' ? catalogClient(redis, this.settings.connectTimeoutMs, this.settings.commandTimeoutMs) : redis;
    this.redis.on('error', () => undefined); // surfaced as rejected commands, never an unhandled 'error'
    this.redis.defineCommand('wrCatalogSave', { numberOfKeys: 2, lua: SAVE });
    this.redis.defineCommand('wrCatalogRemove', { numberOfKeys: 2, lua: REMOVE });
    this.redis.defineCommand('wrCatalogLoad', { numberOfKeys: 2, lua: LOAD, readOnly: true });
    this.commands = this.redis as unknown as RedisWorkerCatalog['commands'];
    this.revisions = new CatalogRevisions((runtimeId) => this.redis.get(this.revKey(runtimeId)), this.settings.checkMs);
    this.redis.on('ready', () => this.revisions.checkSoon());
  }

  /** The connection, for the input queues that share it (`RedisInputQueue`). */
  get client(): Redis {
    return this.redis;
  }

  /** Connects (when this catalog made its client); rejects with a clear message when Redis is unreachable. */
  async connect(): Promise<void> {
    try {
      await readyWithin(this.redis, this.settings.connectTimeoutMs, this.owned);
    } catch (error) {
      throw new Error(`Redis catalog unreachable at ${describe(this.redis)}: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.revisions.stop();
    if (this.owned) await closeWithin(this.redis, Math.min(this.settings.commandTimeoutMs, 1_000));
  }

  /** Calls `listener(runtimeId)` when that Runtime's catalog lost writes this process made; returns an unsubscribe. */
  onLoss(listener: (runtimeId: string) => void): () => void {
    return this.revisions.onLoss(listener);
  }

  async load(runtimeId: string): Promise<CatalogEntry[]> {
    const [flat, rev] = (await this.commands.wrCatalogLoad(this.key(runtimeId), this.revKey(runtimeId))) as [string[], string | null];
    this.revisions.seen(runtimeId, rev === null ? 0 : Number(rev));
    const entries: CatalogEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const entry = parseEntry(flat[i]!, flat[i + 1]!);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  async get(runtimeId: string, workerId: string): Promise<CatalogEntry | null> {
    const json = await this.redis.hget(this.key(runtimeId), workerId);
    return json === null ? null : parseEntry(workerId, json);
  }

  async save(runtimeId: string, entry: CatalogEntry): Promise<void> {
    const rev = await this.commands.wrCatalogSave(this.key(runtimeId), this.revKey(runtimeId), entry.workerId, JSON.stringify(entry));
    this.revisions.wrote(runtimeId, Number(rev));
  }

  async remove(runtimeId: string, workerId: string): Promise<void> {
    const rev = await this.commands.wrCatalogRemove(this.key(runtimeId), this.revKey(runtimeId), workerId);
    this.revisions.wrote(runtimeId, Number(rev));
  }

  private key(runtimeId: string): string {
    return `${this.prefix}catalog:${runtimeId}`;
  }

  private revKey(runtimeId: string): string {
    return `${this.prefix}catalog-rev:${runtimeId}`;
  }
}

function describe(redis: Redis): string {
  const { host, port } = redis.options;
  return `${host ?? '?'}:${port ?? '?'}`;
}
