import type { EndReason } from '../../domain/observation.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { decodeEntry, entryEpoch, entrySequence, oldestRetained, type Entry } from './redisEntries.js';
import type { StreamKeys } from './redisKeys.js';
import type { BusScripts, RawEntry, StreamMeta } from './redisScripts.js';
import type { RedisSubscription, SubscriptionFeed } from './redisSubscription.js';

/** The reader loop a feed is read by. */
export interface FeedReader {
  /** Re-read every stream's epoch and head before the next `XREAD`. */
  requestSync(): void;
  /** Stop reading this feed's stream. */
  remove(feed: RedisFeed): void;
}

const PAGE = 256;

/**
 * One Worker stream with live subscribers in this process: its epoch, how far the reader loop has
 * read it (`position`), and the fan-out of each entry read (decoded once, shared by every subscriber).
 */
export class RedisFeed implements SubscriptionFeed {
  private readonly subscribers = new Set<RedisSubscription>();
  /** Subscribers whose view of the stream disagrees with the feed's epoch, until the next sync. */
  private readonly waiting = new Set<RedisSubscription>();
  epoch: string;
  position: number;

  constructor(
    readonly worker: WorkerRef,
    readonly keys: StreamKeys,
    meta: StreamMeta,
    readonly reader: FeedReader,
    private readonly scripts: BusScripts,
    private readonly retention: number,
  ) {
    this.epoch = meta.epoch;
    this.position = meta.head;
  }

  get empty(): boolean {
    return this.subscribers.size === 0 && this.waiting.size === 0;
  }

  attach(subscription: RedisSubscription): void {
    if (subscription.epoch !== this.epoch) {
      this.waiting.add(subscription);
      this.reader.requestSync();
      return;
    }
    this.subscribers.add(subscription);
    subscription.attached(this, this.position);
  }

  detach(subscription: RedisSubscription): void {
    this.subscribers.delete(subscription);
    this.waiting.delete(subscription);
  }

  /** Entries `XREAD` returned for this stream, oldest first. */
  deliver(raws: readonly RawEntry[]): void {
    for (const raw of raws) {
      if (entryEpoch(raw) !== this.epoch) {
        // Written in another epoch (the data was lost or dropped meanwhile): rebase, never alias.
        this.reader.requestSync();
        return;
      }
      const sequence = entrySequence(raw);
      if (sequence <= this.position) continue;
      this.position = sequence;
      const entry = decodeEntry(this.worker, this.epoch, raw);
      if (entry) for (const subscriber of this.subscribers) subscriber.push(entry);
    }
  }

  /** The stream as just re-read: a new epoch resets every subscriber; waiting ones join. */
  rebase(meta: StreamMeta): void {
    const oldest = oldestRetained(meta, this.retention);
    if (meta.epoch !== this.epoch) {
      this.epoch = meta.epoch;
      this.position = meta.head;
      for (const subscriber of this.subscribers) subscriber.reset(meta, oldest, this.position);
    } else {
      for (const subscriber of this.subscribers) subscriber.unstall();
    }
    for (const subscriber of this.waiting) {
      this.subscribers.add(subscriber);
      if (subscriber.epoch !== this.epoch) subscriber.reset(meta, oldest, this.position);
      subscriber.attached(this, this.position);
    }
    this.waiting.clear();
  }

  end(reason: EndReason): void {
    for (const subscriber of [...this.subscribers, ...this.waiting]) subscriber.onEnd(reason);
    this.subscribers.clear();
    this.waiting.clear();
  }

  async range(from: number, to: number): Promise<{ epoch: string | null; entries: (Entry | null)[] }> {
    const [epoch, raws] = await this.scripts.range(this.keys, from, to, PAGE);
    return { epoch, entries: epoch === null ? [] : raws.map((raw) => decodeEntry(this.worker, epoch, raw)) };
  }

  resync(): void {
    this.reader.requestSync();
  }
}
