import type { Redis } from 'ioredis';
import { QueuedInputSchema, SettlementSchema, SubmissionIdSchema, type QueuedInput, type Settlement } from '../../domain/queuedInput.js';
import { WorkerIdSchema } from '../../domain/workerRef.js';
import type { InputQueuePort, StoredQueue } from '../../ports/inputQueuePort.js';

// One script per change, so each is atomic: an entry is removed and its settlement recorded together.
const STORE = `redis.call('SADD', KEYS[1], ARGV[1]) redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) return 1`;
const SETTLE = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[2])
if redis.call('HSET', KEYS[3], ARGV[2], ARGV[3]) == 1 then redis.call('RPUSH', KEYS[4], ARGV[2]) end
local retain = tonumber(ARGV[4])
while redis.call('LLEN', KEYS[4]) > retain do
  local old = redis.call('LPOP', KEYS[4])
  redis.call('HDEL', KEYS[3], old)
end
return 1`;
const DROP = `redis.call('DEL', KEYS[2], KEYS[3], KEYS[4]) redis.call('SREM', KEYS[1], ARGV[1]) return 1`;

type Call = (...args: (string | number)[]) => Promise<unknown>;

/**
 * The input queues in Redis, on the catalog's connection (so they share its deadlines and its loss
 * check: when the catalog finds Redis lost writes, the Runtime writes its queues again too). Per
 * Runtime, under one hash tag `{<runtimeId>}`: `<prefix>queue:{rt}:workers` (set of Worker ids), and per
 * Worker `…:<workerId>:entries` (hash: submission id → entry JSON), `…:settled` (hash: submission id →
 * settlement JSON) and `…:order` (list of settled ids, oldest first, trimmed to `retain`). Ids are
 * percent-encoded in keys. Entries are parsed on the way in; one that does not parse is named as corrupt.
 */
export class RedisInputQueue implements InputQueuePort {
  readonly durable = true;
  private readonly commands: Record<'wrQueueStore' | 'wrQueueSettle' | 'wrQueueDrop', Call>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'wr:',
  ) {
    redis.defineCommand('wrQueueStore', { numberOfKeys: 2, lua: STORE });
    redis.defineCommand('wrQueueSettle', { numberOfKeys: 4, lua: SETTLE });
    redis.defineCommand('wrQueueDrop', { numberOfKeys: 4, lua: DROP });
    this.commands = redis as unknown as RedisInputQueue['commands'];
  }

  async load(runtimeId: string): Promise<{ queues: StoredQueue[]; corrupt: { workerId: string; submissionId: string }[] }> {
    const members = (await this.redis.smembers(this.workersKey(runtimeId))).filter((w) => WorkerIdSchema.safeParse(w).success);
    const queues: StoredQueue[] = [];
    const corrupt: { workerId: string; submissionId: string }[] = [];
    if (members.length === 0) return { queues, corrupt };
    const pipeline = this.redis.multi();
    for (const workerId of members) pipeline.hgetall(this.key(runtimeId, workerId, 'entries')).hgetall(this.key(runtimeId, workerId, 'settled'));
    const replies = (await pipeline.exec()) ?? [];
    members.forEach((workerId, index) => {
      const [entriesError, rawEntries] = replies[index * 2] ?? [];
      const [settledError, rawSettled] = replies[index * 2 + 1] ?? [];
      if (entriesError || settledError) throw entriesError ?? settledError;
      const entries: QueuedInput[] = [];
      for (const [submissionId, json] of Object.entries((rawEntries ?? {}) as Record<string, string>)) {
        const entry = parse(QueuedInputSchema, json);
        if (entry && entry.submissionId === submissionId) entries.push(entry);
        else if (SubmissionIdSchema.safeParse(submissionId).success) corrupt.push({ workerId, submissionId });
      }
      const settled = Object.entries((rawSettled ?? {}) as Record<string, string>).flatMap(([id, json]) => {
        const settlement = parse(SettlementSchema, json);
        return settlement && settlement.submissionId === id ? [settlement] : [];
      });
      queues.push({ workerId, entries, settled });
    });
    return { queues, corrupt };
  }

  async append(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    await this.commands.wrQueueStore(this.workersKey(runtimeId), this.key(runtimeId, workerId, 'entries'), workerId, entry.submissionId, JSON.stringify(entry));
  }

  update(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void> {
    return this.append(runtimeId, workerId, entry);
  }

  async settle(runtimeId: string, workerId: string, settlement: Settlement, retain: number): Promise<void> {
    await this.commands.wrQueueSettle(...this.keys(runtimeId, workerId), workerId, settlement.submissionId, JSON.stringify(settlement), retain);
  }

  async drop(runtimeId: string, workerId: string): Promise<void> {
    await this.commands.wrQueueDrop(...this.keys(runtimeId, workerId), workerId);
  }

  private keys(runtimeId: string, workerId: string): [string, string, string, string] {
    return [this.workersKey(runtimeId), this.key(runtimeId, workerId, 'entries'), this.key(runtimeId, workerId, 'settled'), this.key(runtimeId, workerId, 'order')];
  }

  private workersKey(runtimeId: string): string {
    return `${this.prefix}queue:{${encodeURIComponent(runtimeId)}}:workers`;
  }

  private key(runtimeId: string, workerId: string, part: 'entries' | 'settled' | 'order'): string {
    return `${this.prefix}queue:{${encodeURIComponent(runtimeId)}}:${encodeURIComponent(workerId)}:${part}`;
  }
}

function parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, json: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
