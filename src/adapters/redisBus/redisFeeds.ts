import type { EndReason } from '../../domain/observation.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { RedisFeed } from './redisFeed.js';
import type { StreamKeys } from './redisKeys.js';
import type { RedisReaderLoop } from './redisReaderLoop.js';
import type { BusScripts, StreamMeta } from './redisScripts.js';
import type { StreamState } from './redisStreamState.js';
import type { RedisSubscription } from './redisSubscription.js';

/**
 * The Worker streams this process has live subscribers for, spread over a fixed number of reader
 * loops (one blocking connection each, opened on first use). A stream is read while it has a
 * subscriber and forgotten with its last one.
 */
export class RedisFeeds {
  private readonly feeds = new Map<string, RedisFeed>();
  private readonly loops: RedisReaderLoop[] = [];

  constructor(
    private readonly settings: { readonly readerConnections: number; readonly retentionPerWorker: number },
    private readonly scripts: BusScripts,
    private readonly newLoop: () => RedisReaderLoop,
  ) {}

  /** Joins the subscription (planned against `meta`) to its stream's feed, creating the feed. */
  attach(worker: WorkerRef, state: StreamState, meta: StreamMeta, subscription: RedisSubscription): void {
    let feed = this.feeds.get(state.keys.stream);
    if (!feed) {
      const loop = this.pickLoop();
      feed = new RedisFeed(worker, state, meta, loop, this.scripts, this.settings.retentionPerWorker);
      this.feeds.set(state.keys.stream, feed);
      loop.add(feed);
    }
    feed.attach(subscription);
  }

  detach(keys: StreamKeys, subscription: RedisSubscription): void {
    const feed = this.feeds.get(keys.stream);
    if (!feed) return;
    feed.detach(subscription);
    if (feed.empty) this.release(feed);
  }

  /** Ends the stream's subscriptions with `reason`. */
  end(keys: StreamKeys, reason: EndReason): void {
    const feed = this.feeds.get(keys.stream);
    if (!feed) return;
    feed.end(reason);
    this.release(feed);
  }

  /** Ends every subscription (`shutdown`) and closes the reader connections. */
  async close(): Promise<void> {
    for (const feed of [...this.feeds.values()]) this.end(feed.keys, 'shutdown');
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  private release(feed: RedisFeed): void {
    if (this.feeds.get(feed.keys.stream) === feed) this.feeds.delete(feed.keys.stream);
    feed.reader.remove(feed);
  }

  private pickLoop(): RedisReaderLoop {
    const least = this.loops.reduce<RedisReaderLoop | null>((best, loop) => (!best || loop.size < best.size ? loop : best), null);
    if (least && (least.size === 0 || this.loops.length >= this.settings.readerConnections)) return least;
    const loop = this.newLoop();
    this.loops.push(loop);
    return loop;
  }
}
