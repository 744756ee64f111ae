import type { EndReason, ObservationFrame, ObservationSubscription } from '../../domain/observation.js';
import { planResume } from '../../domain/stream/resumePlan.js';
import type { ControlFrame } from '../../domain/stream/streamFrames.js';
import { firstOf, lastOf, replayed, type Item } from './redisEntries.js';
import type { StreamMeta } from './redisScripts.js';
import { itemFrom as from, type SubscriptionFeed, type SubscriptionPage } from './redisSubscriptionFeed.js';

export type { SubscriptionFeed, SubscriptionPage } from './redisSubscriptionFeed.js';

type Frame = ObservationFrame;
const DONE: IteratorResult<never> = { done: true, value: undefined };
const RETRY_MS = 250;

/**
 * One subscriber of a Redis Worker stream, with the memory bus's frames and bounds. Items (entries,
 * and `gap`s over sequences that hold nothing deliverable) up to `catchUpUntil` are pulled from Redis
 * a page at a time as the subscriber reads (replay costs no queue); later ones are pushed by the
 * process's reader loop into `live`, bounded by `queueLimit`. Delivery is by sequence
 * (`nextSequence`), so the switch from pulled to pushed can neither skip nor repeat.
 */
export class RedisSubscription implements ObservationSubscription, AsyncIterableIterator<Frame> {
  epoch: string | null = null;
  private feed: SubscriptionFeed | null = null;
  private nextSequence = 1;
  private replayUntil = 0;
  private catchUpUntil = 0;
  private fetched: Item[] = [];
  private live: Item[] = [];
  private readonly pending: ControlFrame[] = [];
  private owed: Item[] | null = null;
  private lastCursor: string | null = null;
  private endReason: EndReason | null = null;
  private closed = false;
  private fetching = false;
  private stalled = false;
  private generation = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private waiter: ((result: IteratorResult<Frame>) => void) | null = null;

  constructor(
    private readonly after: string | null,
    private readonly queueLimit: number,
    private readonly done: (subscription: RedisSubscription) => void,
  ) {}

  /** Ended, lagged or closed: nothing more will be read for it. */
  get finished(): boolean {
    return this.closed || this.endReason !== null || this.owed !== null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Frame>> {
    const ready = this.take();
    return ready ? Promise.resolve(ready) : new Promise((resolve) => (this.waiter = resolve));
  }

  /**
   * Every frame available now (up to `max`), or, when none is, the next ones as soon as one arrives;
   * an empty array once the subscription is over. The memory bus's semantics: one promise per batch.
   */
  nextBatch(max = 1024): Promise<Frame[]> {
    const batch: Frame[] = [];
    this.drainInto(batch, max);
    if (batch.length > 0 || this.closed) return Promise.resolve(batch);
    return this.next().then((first) => {
      if (first.done) return batch;
      batch.push(first.value);
      this.drainInto(batch, max);
      return batch;
    });
  }

  return(): Promise<IteratorResult<Frame>> {
    this.close();
    return Promise.resolve(DONE);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    this.wake();
  }

  /** Plans the resume against the stream as read at subscribe time. */
  start(meta: StreamMeta, oldest: number): void {
    const plan = planResume(this.after, meta.epoch, oldest, meta.head);
    this.pending.push(...plan.leading);
    this.epoch = meta.epoch;
    this.nextSequence = plan.from;
    this.lastCursor = plan.after;
    this.replayUntil = meta.head;
  }

  /** Live entries after `position` will be pushed; the ones before are pulled. */
  attached(feed: SubscriptionFeed, position: number): void {
    this.feed = feed;
    this.catchUpUntil = position;
    this.wake();
  }

  /** The stream lost its data (another epoch): say so, then follow the new epoch from its oldest entry. */
  reset(meta: StreamMeta, oldest: number, position: number): void {
    if (this.closed || this.owed || this.endReason) return;
    // Nothing delivered and no cursor asked for: nothing to take back, so the switch needs no frame
    // (a stream another process renewed before its first event, for one).
    const requested = this.lastCursor ?? this.after;
    if (requested !== null) this.pending.push({ type: 'reset', requested, epoch: meta.epoch });
    this.generation++;
    this.fetching = this.stalled = false;
    this.fetched = [];
    this.live = [];
    this.epoch = meta.epoch;
    this.nextSequence = oldest;
    this.replayUntil = meta.head;
    this.catchUpUntil = position;
    this.lastCursor = null;
    this.wake();
  }

  /** The stream was re-read and is still in this epoch. */
  unstall(): void {
    this.stalled = false;
    this.wake();
  }

  /** A live item from the reader loop (ascending; duplicates ignored). */
  push(item: Item): void {
    if (this.closed || this.owed || this.endReason) return;
    const sequence = lastOf(item);
    const last = this.live.length > 0 ? lastOf(this.live[this.live.length - 1]!) : this.catchUpUntil;
    if (sequence < this.nextSequence || sequence <= last) return;
    this.live.push(item);
    if (sequence - Math.max(this.nextSequence - 1, this.replayUntil) > this.queueLimit) this.lag();
    else this.wake();
  }

  onEnd(reason: EndReason): void {
    if (this.endReason || this.owed) return;
    this.endReason = reason;
    this.wake();
  }

  /** Overflow or a gap: deliver what is queued and contiguous (bounded), then `lagged` and `end`. */
  lag(): void {
    if (this.owed || this.closed) return;
    const owed = this.fetched.slice(0, this.queueLimit);
    let expected = owed.length > 0 ? lastOf(owed[owed.length - 1]!) + 1 : this.nextSequence;
    for (const item of this.live) {
      if (lastOf(item) < expected) continue;
      if (owed.length >= this.queueLimit || firstOf(item) > expected) break;
      owed.push(from(item, expected));
      expected = lastOf(item) + 1;
    }
    this.owed = owed.map((item) => this.mark(item));
    this.endReason = 'lagged';
    this.fetched = [];
    this.live = [];
    this.stop();
    this.wake();
  }

  private drainInto(batch: Frame[], max: number): void {
    while (batch.length < max) {
      const ready = this.take();
      if (!ready || ready.done) return;
      batch.push(ready.value);
    }
  }

  private take(): IteratorResult<Frame> | null {
    if (this.closed) return DONE;
    const control = this.pending.shift();
    if (control) return this.deliver(control);
    if (this.owed) return this.takeOwed();
    const entry = this.nextEntry();
    if (entry) return this.deliver(this.mark(entry));
    if (this.endReason) return this.deliver({ type: 'end', reason: this.endReason });
    this.fetch();
    return null;
  }

  private nextEntry(): Item | null {
    const fetched = this.fetched.shift();
    if (fetched) return this.advance(fetched);
    if (this.nextSequence <= this.catchUpUntil) return null;
    while (this.live.length > 0 && lastOf(this.live[0]!) < this.nextSequence) this.live.shift();
    const head = this.live[0];
    if (!head) return null;
    if (firstOf(head) <= this.nextSequence) return this.advance(from(this.live.shift()!, this.nextSequence));
    this.catchUpUntil = firstOf(head) - 1; // a hole in what was pushed: pull it
    return null;
  }

  private advance(item: Item): Item {
    this.nextSequence = lastOf(item) + 1;
    return item;
  }

  private takeOwed(): IteratorResult<Frame> {
    const entry = this.owed!.shift();
    if (entry) return this.deliver(entry);
    this.pending.push({ type: 'end', reason: 'lagged' });
    return this.deliver({ type: 'lagged', resumeAfter: this.lastCursor });
  }

  private fetch(): void {
    const feed = this.feed;
    if (!feed || this.fetching || this.stalled || this.retry || this.nextSequence > this.catchUpUntil) return;
    this.fetching = true;
    const generation = this.generation;
    const from = this.nextSequence;
    feed.range(from, this.catchUpUntil).then(
      (page) => generation === this.generation && this.fetchedPage(feed, page),
      () => generation === this.generation && this.retryLater(),
    );
  }

  private fetchedPage(feed: SubscriptionFeed, page: SubscriptionPage): void {
    this.fetching = false;
    if (this.closed || this.endReason) return;
    if (page.stale || page.epoch !== this.epoch) {
      this.stalled = true;
      feed.resync();
      return;
    }
    // Redis trimmed past this subscriber while it read: never a silent gap.
    if (page.items.length === 0) return this.lag();
    this.fetched = [...page.items];
    this.wake();
  }

  private retryLater(): void {
    this.fetching = false;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.wake();
    }, RETRY_MS);
  }

  private mark(item: Item): Item {
    return item.type === 'observation' && item.observation.sequence <= this.replayUntil ? replayed(item) : item;
  }

  private deliver(value: Frame): IteratorResult<Frame> {
    if (value.type === 'end') {
      this.closed = true;
      this.stop();
    } else if (value.type === 'observation') this.lastCursor = value.observation.cursor;
    else if (value.type === 'gap') this.lastCursor = value.resumeAfter;
    return { done: false, value };
  }

  private stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.done(this);
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const ready = this.take();
    if (!ready) return;
    this.waiter = null;
    waiter(ready);
  }
}

