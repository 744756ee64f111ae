import type { Redis } from 'ioredis';
import type { StreamKeys } from './redisKeys.js';
import type { StreamProbe, StreamState } from './redisStreamState.js';

export type { StreamProbe } from './redisStreamState.js';
import { DROP, META, PUBLISH, RANGE } from './redisLua.js';

/** A stream entry as Redis returns it: `[id, [epoch, payloadJson]]` when the bus wrote it. */
export type RawEntry = [id: string, fields: string[]];

/** One Worker stream as a script saw it, atomically. */
export interface StreamMeta {
  readonly epoch: string;
  /** The last sequence assigned in this epoch (0: none yet). */
  readonly head: number;
  /** The oldest sequence Redis still holds (`head + 1` when the stream is empty). */
  readonly first: number;
}

/** One stream's payloads for `publish`, with what is known of the stream. */
export type PublishCall = readonly [stream: StreamState, payloads: readonly string[]];

/** What one stream of a publish stored: `stored` payloads from sequence `first` in `epoch` (the rest were refused). */
export interface PublishReply {
  readonly first: number;
  readonly epoch: string;
  readonly stored: number;
}

/** A page of entries and the stream's state, read atomically; `epoch` null: the stream is gone. */
export interface RangeReply {
  readonly epoch: string | null;
  readonly head: number;
  readonly first: number;
  readonly raws: RawEntry[];
}

export interface BusScripts {
  /**
   * Appends each call's payloads with its stream's next sequences, in one script run; one reply per
   * call. `base` is unique to this run: a stream that must start an epoch gets `<base>_<n>`.
   */
  publish(calls: readonly PublishCall[], retention: number, base: string): Promise<PublishReply[]>;
  /** Each stream's state, made consistent first (see redisLua.ts); null for a stream whose keys are unusable. */
  meta(probes: readonly StreamProbe[]): Promise<(StreamMeta | null)[]>;
  /** Entries `from..to` (at most `count`) with the stream's state. */
  range(keys: StreamKeys, from: number, to: number, count: number): Promise<RangeReply>;
  /** Deletes the stream unless it was already begun again under `token`. */
  drop(keys: StreamKeys, token: string): Promise<void>;
}

type Call = (...args: (string | number)[]) => Promise<unknown>;
/** Streams per `META` run: bounds how long one run holds Redis. */
const META_CHUNK = 128;

/** Registers the scripts on a connection (ioredis sends EVAL once per socket, then EVALSHA). */
export function busScripts(redis: Redis): BusScripts {
  redis.defineCommand('wrObsPublish', { lua: PUBLISH }); // key count varies: passed first
  redis.defineCommand('wrObsMeta', { lua: META });
  redis.defineCommand('wrObsRange', { numberOfKeys: 2, lua: RANGE, readOnly: true });
  redis.defineCommand('wrObsDrop', { numberOfKeys: 2, lua: DROP });
  const commands = redis as unknown as Record<'wrObsPublish' | 'wrObsMeta' | 'wrObsRange' | 'wrObsDrop', Call>;
  const metaChunk = async (probes: readonly StreamProbe[]): Promise<(StreamMeta | null)[]> => {
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const p of probes) {
      keys.push(p.keys.meta, p.keys.stream);
      args.push(p.candidate, p.knownEpoch, p.knownHead);
    }
    const flat = (await commands.wrObsMeta(keys.length, ...keys, ...args)) as (string | number | null)[];
    return probes.map((_, i) => {
      const epoch = flat[3 * i];
      return typeof epoch === 'string' && epoch !== '' ? { epoch, head: Number(flat[3 * i + 1]), first: Number(flat[3 * i + 2]) } : null;
    });
  };
  return {
    publish: async (calls, retention, base) => {
      const keys: string[] = [];
      const args: (string | number)[] = [retention, base];
      for (const [stream, payloads] of calls) {
        keys.push(stream.keys.meta, stream.keys.stream);
        if (stream.fresh) args.push(stream.fresh, -1, payloads.length, ...payloads);
        else args.push(stream.epoch ?? '', stream.head, payloads.length, ...payloads);
      }
      const flat = (await commands.wrObsPublish(keys.length, ...keys, ...args)) as (number | string)[];
      const replies: PublishReply[] = [];
      for (let i = 0, at = 0; i < calls.length; i++) {
        const first = Number(flat[at]);
        if (first > 0) {
          replies.push({ first, epoch: String(flat[at + 1]), stored: calls[i]![1].length });
          at += 2;
        } else {
          replies.push({ first: -first, epoch: String(flat[at + 1]), stored: Number(flat[at + 2]) });
          at += 3;
        }
      }
      return replies;
    },
    meta: async (probes) => {
      const replies: (StreamMeta | null)[] = [];
      for (let at = 0; at < probes.length; at += META_CHUNK) replies.push(...(await metaChunk(probes.slice(at, at + META_CHUNK))));
      return replies;
    },
    range: async (keys, from, to, count) => {
      const [epoch, head, first, raws] = (await commands.wrObsRange(keys.meta, keys.stream, from, to, count)) as [string | null, number, number, RawEntry[]];
      return { epoch: epoch || null, head: Number(head), first: Number(first), raws };
    },
    drop: async (keys, token) => {
      await commands.wrObsDrop(keys.meta, keys.stream, token);
    },
  };
}
