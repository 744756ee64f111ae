import type { EndReason } from '../../domain/observation.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { oldestRetained } from './redisEntries.js';
import { walkEntries, walkPage, type WalkBounds } from './redisEntryWalk.js';
import type { BusScripts, RawEntry, StreamMeta, StreamProbe } from './redisScripts.js';
import type { StreamState } from './redisStreamState.js';
import type { RedisSubscription, SubscriptionFeed, SubscriptionPage } from './redisSubscription.js';

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
 * read it (`position`, the last sequence accounted for, and `readId`, the entry id the next `XREAD`
 * starts after), and the fan-out of each item read (decoded once, shared by every subscriber).
 * Entries it cannot judge alone (another field name, an id ahead of the next sequence) are held
 * until the next sync tells whether the stream was renewed (then `reset`) or they are skipped (`gap`).
 */
export class RedisFeed implements SubscriptionFeed {
  private readonly subscribers = new Set<RedisSubscription>();
  /** Subscribers whose view of the stream disagrees with the feed's epoch, until the next sync. */
  private readonly waiting = new Set<RedisSubscription>();
  private held: RawEntry[] | null = null;
  epoch: string;
  position: number;
  readId: string;

  constructor(
    readonly worker: WorkerRef,
    readonly state: StreamState,
    meta: StreamMeta,
    readonly reader: FeedReader,
    private readonly scripts: BusScripts,
    private readonly retention: number,
  ) {
    this.epoch = meta.epoch;
    this.position = meta.head;
    this.readId = `${meta.head}-0`;
  }

  get keys(): StreamState['keys'] {
    return this.state.keys;
  }

  get empty(): boolean {
    return this.subscribers.size === 0 && this.waiting.size === 0;
  }

  /** What a sync checks the stream against: its epoch and the furthest this process saw in it. */
  probe(candidate: string): StreamProbe {
    const known = this.state.epoch === this.epoch ? Math.max(this.state.head, this.position) : this.position;
    return { keys: this.keys, candidate, knownEpoch: this.epoch, knownHead: known };
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
    if (this.held) this.held.push(...raws);
    else this.walk(raws, null);
  }

  /** The stream as just re-read: a new epoch resets every subscriber; held entries are judged; waiting ones join. */
  rebase(meta: StreamMeta): void {
    this.state.learn(meta.epoch, meta.head);
    const oldest = oldestRetained(meta, this.retention);
    if (meta.epoch !== this.epoch) {
      this.held = null;
      this.epoch = meta.epoch;
      this.position = meta.head;
      this.readId = `${meta.head}-0`;
      for (const subscriber of this.subscribers) subscriber.reset(meta, oldest, this.position);
    } else {
      const held = this.held;
      this.held = null;
      // Above the head: not the bus's, and the META that gave this head deleted it. Trimmed before
      // this loop read it: skipped here, each subscriber that still needed it pulls and gets `lagged`.
      if (held) this.walk(held, { head: meta.head, first: meta.first, skipTrimmed: true });
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

  async range(from: number, to: number): Promise<SubscriptionPage> {
    const reply = await this.scripts.range(this.keys, from, to, PAGE);
    if (reply.epoch === null || reply.epoch !== this.epoch || reply.head < to) return { epoch: reply.epoch, items: [], trimmed: false, stale: true };
    const { items, trimmed } = walkPage(this.worker, reply.epoch, from, to, reply, PAGE);
    return { epoch: reply.epoch, items, trimmed, stale: false };
  }

  resync(): void {
    this.reader.requestSync();
  }

  private walk(raws: readonly RawEntry[], bounds: WalkBounds | null): void {
    const walk = walkEntries(this.worker, this.epoch, this.position + 1, raws, bounds);
    for (const item of walk.items) for (const subscriber of this.subscribers) subscriber.push(item);
    this.position = walk.next - 1;
    if (walk.lastId) this.readId = walk.lastId;
    if (walk.stop === 'unsure') {
      this.held = [...walk.rest];
      this.reader.requestSync();
    }
  }
}
