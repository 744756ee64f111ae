import type { Redis } from 'ioredis';
import type { StreamKeys } from './redisKeys.js';

/** A stream entry as Redis returns it: `[id, [epoch, payloadJson]]`. */
export type RawEntry = [id: string, fields: string[]];

/** One Worker stream as a script saw it, atomically. */
export interface StreamMeta {
  readonly epoch: string;
  /** The last sequence assigned in this epoch (0: none yet). */
  readonly head: number;
  /** The oldest sequence Redis still holds (`head + 1` when the stream is empty). */
  readonly first: number;
}

// A stream without meta (new, dropped, or lost with a Redis restart) starts a new epoch from the
// caller's fresh candidate; any leftover entries belong to the lost epoch and are deleted first.
const ENSURE_EPOCH = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
`;

// KEYS: meta, stream pairs, one per Worker stream. ARGV: retention, then per stream: candidate epoch,
// count, payloads. Appends each stream's payloads in order, the sequence as entry id and the epoch as
// the only field name: identical field names cost nothing in a stream node, and a reader can never
// attribute an entry to the wrong epoch. Returns first sequence and epoch per stream.
const PUBLISH = `
local out, a = {}, 2
for k = 1, #KEYS, 2 do
  local epoch = redis.call('HGET', KEYS[k], 'epoch')
  if not epoch then
    epoch = ARGV[a]
    redis.call('DEL', KEYS[k + 1])
    redis.call('HSET', KEYS[k], 'epoch', epoch, 'seq', 0)
  end
  local count = tonumber(ARGV[a + 1])
  local first = redis.call('HINCRBY', KEYS[k], 'seq', count) - count + 1
  for i = 0, count - 1 do
    redis.call('XADD', KEYS[k + 1], 'MAXLEN', '~', ARGV[1], (first + i) .. '-0', epoch, ARGV[a + 2 + i])
  end
  out[#out + 1], out[#out + 2] = first, epoch
  a = a + 2 + count
end
return out
`;

// KEYS: meta, stream. ARGV: candidate epoch.
const META = `${ENSURE_EPOCH}
local head = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local entry = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
local first = head + 1
if entry then first = tonumber(string.match(entry[1], '^%d+')) end
return {epoch, head, first}
`;

// KEYS: meta, stream. ARGV: from, to, count. The epoch and the entries in one atomic read.
const RANGE = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
return {epoch, redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[2], 'COUNT', ARGV[3])}
`;

/** One stream's payloads for `publish`. */
export interface PublishCall {
  readonly keys: StreamKeys;
  readonly candidate: string;
  readonly payloads: readonly string[];
}

export interface BusScripts {
  /** Appends each call's payloads with its stream's next sequences, in one script run; `[first, epoch]` per call. */
  publish(calls: readonly PublishCall[], retention: number): Promise<[number, string][]>;
  meta(keys: StreamKeys, candidate: string): Promise<StreamMeta>;
  /** Entries `from..to` (at most `count`) and the stream's epoch (null: the stream is gone). */
  range(keys: StreamKeys, from: number, to: number, count: number): Promise<[string | null, RawEntry[]]>;
}

type Call = (...args: (string | number)[]) => Promise<unknown>;

/** Registers the scripts on a connection (ioredis sends EVAL once per socket, then EVALSHA). */
export function busScripts(redis: Redis): BusScripts {
  redis.defineCommand('wrObsPublish', { lua: PUBLISH }); // key count varies: passed first
  redis.defineCommand('wrObsMeta', { numberOfKeys: 2, lua: META });
  redis.defineCommand('wrObsRange', { numberOfKeys: 2, lua: RANGE, readOnly: true });
  const commands = redis as unknown as Record<'wrObsPublish' | 'wrObsMeta' | 'wrObsRange', Call>;
  return {
    publish: async (calls, retention) => {
      const keys: string[] = [];
      const args: (string | number)[] = [retention];
      for (const call of calls) {
        keys.push(call.keys.meta, call.keys.stream);
        args.push(call.candidate, call.payloads.length, ...call.payloads);
      }
      const flat = (await commands.wrObsPublish(keys.length, ...keys, ...args)) as (number | string)[];
      return calls.map((_, i) => [flat[2 * i] as number, flat[2 * i + 1] as string]);
    },
    meta: async (keys, candidate) => {
      const [epoch, head, first] = (await commands.wrObsMeta(keys.meta, keys.stream, candidate)) as [string, number, number];
      return { epoch, head, first };
    },
    range: (keys, from, to, count) =>
      commands.wrObsRange(keys.meta, keys.stream, from, to, count) as Promise<[string | null, RawEntry[]]>,
  };
}
