import type { Redis } from 'ioredis';
import type { FeedReader, RedisFeed } from './redisFeed.js';
import { busScripts, type BusScripts, type RawEntry } from './redisScripts.js';

export interface ReaderSettings {
  /** `XREAD BLOCK` timeout, and how often every stream's epoch and head are re-checked, busy or not. */
  readonly blockMs: number;
  /** A fresh epoch candidate: a stream found without metadata (lost, dropped) starts a new epoch. */
  candidate(): string;
  /** `CLIENT UNBLOCK <id>` sent on another connection; resolves 1 when that client was blocked. */
  unblock(clientId: number): Promise<unknown>;
}

type XreadReply = [key: string, entries: RawEntry[]][];
const COUNT = 512;
const UNBLOCK_ATTEMPTS = 50;

/**
 * One blocking connection reading every Worker stream assigned to it with a single `XREAD BLOCK`,
 * fanning entries out through their feeds. A new stream interrupts the block (`CLIENT UNBLOCK`), so a
 * new subscription never waits for the block timeout. Every stream's epoch and head are re-read
 * (one `META` script for all) before the first `XREAD`, after any error, when a feed holds entries it
 * cannot judge, and every `blockMs` whatever the traffic, so a wiped or rolled-back stream becomes a
 * `reset`, never an alias, even next to a busy one. A stream whose keys hold another type is left
 * out of the `XREAD` (it would fail it for every stream) until a re-check finds it usable.
 */
export class RedisReaderLoop implements FeedReader {
  private readonly feeds = new Map<string, RedisFeed>();
  private readonly broken = new Set<RedisFeed>();
  private readonly scripts: BusScripts;
  private clientId: number | null = null;
  private needsSync = true;
  private syncedAt = 0;
  private blocked = false;
  private round = 0;
  private unblocking = -1;
  private stopped = false;
  private pause: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly connection: Redis,
    private readonly settings: ReaderSettings,
  ) {
    this.scripts = busScripts(connection);
    connection.on('close', () => (this.needsSync = true));
  }

  get size(): number {
    return this.feeds.size;
  }

  add(feed: RedisFeed): void {
    this.feeds.set(feed.keys.stream, feed);
    this.wake();
    this.running ??= this.run();
  }

  /** An `XREAD` already under way may still name the stream; its entries are then ignored. */
  remove(feed: RedisFeed): void {
    if (this.feeds.get(feed.keys.stream) === feed) this.feeds.delete(feed.keys.stream);
    this.broken.delete(feed);
  }

  requestSync(): void {
    this.needsSync = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pause?.();
    this.connection.disconnect();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.feeds.size === 0) await this.wait(null);
      else if ((this.needsSync || this.syncDue() <= 0) && !(await this.sync())) await this.backoff();
      else if (this.broken.size === this.feeds.size) await this.wait(this.syncDue(), null, true);
      else {
        const reply = await this.read();
        if (reply === undefined) {
          this.needsSync = true;
          await this.backoff();
        } else if (reply) {
          for (const [key, raws] of reply) this.feeds.get(key)?.deliver(raws);
        }
      }
    }
  }

  /** Milliseconds until the periodic re-check is due. */
  private syncDue(): number {
    return this.syncedAt + this.settings.blockMs - Date.now();
  }

  private async sync(): Promise<boolean> {
    this.needsSync = false;
    const feeds = [...this.feeds.values()];
    try {
      const [id, metas] = await Promise.all([
        this.connection.client('ID') as Promise<number>,
        this.scripts.meta(feeds.map((feed) => feed.probe(this.settings.candidate()))),
      ]);
      this.clientId = Number(id);
      this.syncedAt = Date.now();
      feeds.forEach((feed, i) => {
        const meta = metas[i];
        if (!meta) return void this.broken.add(feed);
        this.broken.delete(feed);
        feed.rebase(meta);
      });
      return true;
    } catch {
      this.needsSync = true;
      return false;
    }
  }

  private async read(): Promise<XreadReply | null | undefined> {
    const feeds = [...this.feeds.values()].filter((feed) => !this.broken.has(feed));
    const keys = feeds.map((feed) => feed.keys.stream);
    const ids = feeds.map((feed) => feed.readId);
    const block = Math.max(10, Math.min(this.settings.blockMs, this.syncDue()));
    this.round++;
    this.blocked = true;
    try {
      const args = ['COUNT', COUNT, 'BLOCK', block, 'STREAMS', ...keys, ...ids];
      return (await this.connection.call('XREAD', ...args)) as XreadReply | null;
    } catch {
      return undefined;
    } finally {
      this.blocked = false;
    }
  }

  private wake(): void {
    if (this.pause) return this.pause();
    if (!this.blocked || this.clientId === null || this.unblocking === this.round) return;
    void this.unblock(this.round, this.clientId);
  }

  private async unblock(round: number, clientId: number): Promise<void> {
    this.unblocking = round;
    for (let attempt = 0; attempt < UNBLOCK_ATTEMPTS && this.round === round && this.blocked; attempt++) {
      // 0: the XREAD has not reached Redis yet (or just returned); try again shortly.
      if ((await this.settings.unblock(clientId).catch(() => 0)) === 1) return;
      await this.wait(2);
    }
  }

  /** Waits for Redis to be ready again (or a short while if it is), cut short by `wake` or `stop`. */
  private backoff(): Promise<void> {
    const ready = this.connection.status === 'ready';
    return this.wait(ready ? 100 : 1_000, ready ? null : 'ready');
  }

  /** Waits `ms` (null: until woken) or for `event`; `wake` cuts short the ones the loop itself waits in. */
  private wait(ms: number | null, event: 'ready' | null = null, wakeable = ms === null || event !== null): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        if (event) this.connection.off(event, finish);
        if (this.pause === finish) this.pause = null;
        resolve();
      };
      const timer = ms === null ? null : setTimeout(finish, Math.max(0, ms));
      if (event) this.connection.once(event, finish);
      if (wakeable) this.pause = finish;
    });
  }
}
