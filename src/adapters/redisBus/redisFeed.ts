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
 * An entry it cannot judge alone (another field name, an id ahead of the next sequence, a payload
 * that does not decode) stops the read there: the next sync tells whether the stream was renewed
 * (then `reset`), and the entries are read again, now judged against the head it confirmed (`gap`).
 */
export class RedisFeed implements SubscriptionFeed {
  private readonly subscribers = new Set<RedisSubscription>();
  /** Subscribers whose view of the stream disagrees with the feed's epoch, until the next sync. */
  private readonly waiting = new Set<RedisSubscription>();
  /** Range reads in flight, by `from:to`. */
  private readonly reading = new Map<string, Promise<SubscriptionPage>>();
  /** The head and oldest sequence the last sync confirmed in this epoch. */
  private confirmed: WalkBounds;
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
    this.confirmed = confirmedBy(meta);
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

  /** Entries `XREAD` returned for this stream, oldest first (read after the last sync). */
  deliver(raws: readonly RawEntry[]): void {
    const walk = walkEntries(this.worker, this.epoch, this.position + 1, raws, this.confirmed);
    for (const item of walk.items) for (const subscriber of this.subscribers) subscriber.push(item);
    this.position = walk.next - 1;
    if (walk.lastId) this.readId = walk.lastId;
    if (walk.stop) this.reader.requestSync(); // the rest is read again after it
  }

  /** The stream as just re-read: a new epoch resets every subscriber; waiting ones join. */
  rebase(meta: StreamMeta): void {
    this.state.learn(meta.epoch, meta.head);
    const oldest = oldestRetained(meta, this.retention);
    this.confirmed = confirmedBy(meta);
    if (meta.epoch !== this.epoch) {
      this.epoch = meta.epoch;
      this.position = meta.head;
      this.readId = `${meta.head}-0`;
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

  /**
   * A page for `from..to`. Subscribers catching up from the same place at the same time (a reconnect
   * storm after a deploy, many tabs on one Worker) share one read: pages are immutable, each
   * subscriber copies what it takes.
   */
  range(from: number, to: number): Promise<SubscriptionPage> {
    const key = `${from}:${to}`;
    let page = this.reading.get(key);
    if (!page) {
      page = this.readRange(from, to);
      this.reading.set(key, page);
      const forget = () => void (this.reading.get(key) === page && this.reading.delete(key));
      page.then(forget, forget);
    }
    return page;
  }

  private async readRange(from: number, to: number): Promise<SubscriptionPage> {
    const reply = await this.scripts.range(this.keys, from, to, PAGE);
    if (reply.epoch === null || reply.epoch !== this.epoch || reply.head < to) return { epoch: reply.epoch, items: [], trimmed: false, stale: true };
    const { items, trimmed } = walkPage(this.worker, reply.epoch, from, to, reply, PAGE);
    return { epoch: reply.epoch, items, trimmed, stale: false };
  }

  resync(): void {
    this.reader.requestSync();
  }
}

/** What a sync confirmed: sequences up to its head are judged for good by later reads. */
function confirmedBy(meta: StreamMeta): WalkBounds {
  return { head: meta.head, first: meta.first, live: true };
}
