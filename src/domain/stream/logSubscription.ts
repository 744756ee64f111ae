import type { EndReason } from '../observation.js';
import type { ControlFrame, StreamSource } from './streamFrames.js';

type Waiter<E> = (result: IteratorResult<E | ControlFrame>) => void;
const DONE: IteratorResult<never> = { done: true, value: undefined };

/**
 * A subscriber's view of a log stream: a cursor into the log (`nextSequence`), the entries it still
 * owes itself when it lags, and the `next()` calls waiting for a frame (served in call order, each
 * with its own frame: concurrent callers are queued, never dropped).
 * - Entries up to `replayUntil` (the head when it subscribed) are delivered marked as replayed.
 * - More than `queueLimit` unread live entries make it lagged: it keeps what it had queued, then gets
 *   `lagged` (resume after the last delivered) and `end`.
 */
export class LogSubscription<E> implements AsyncIterableIterator<E | ControlFrame> {
  private readonly pending: ControlFrame[];
  private owed: E[] | null = null;
  /** The first waiting `next()`, then the rest in call order (one waiter is the common case: no array). */
  private waiter: Waiter<E> | null = null;
  private moreWaiters: Waiter<E>[] | null = null;
  private endReason: EndReason | null = null;
  private closed = false;
  /** The last entry delivered (its cursor is read only when `lagged` reports it). */
  private lastEntry: E | undefined;
  private delivered = false;

  constructor(
    private readonly stream: StreamSource<E>,
    public nextSequence: number,
    private readonly replayUntil: number,
    private readonly queueLimit: number,
    leading: readonly ControlFrame[],
    /** The cursor this subscriber resumed after, reported by `lagged` if nothing was delivered since. */
    private readonly lastCursor: string | null,
    private readonly detach: () => void,
  ) {
    this.pending = [...leading];
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<E | ControlFrame>> {
    const ready = this.take();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      if (this.waiter === null) this.waiter = resolve;
      else (this.moreWaiters ??= []).push(resolve);
    });
  }

  /**
   * Every frame available now (up to `max`), or, when none is, the next ones as soon as one arrives;
   * an empty array once the subscription is over. One promise per batch instead of one per frame.
   */
  nextBatch(max = 1024): Promise<(E | ControlFrame)[]> {
    const batch = this.drain([], max);
    if (batch.length > 0 || this.closed) return Promise.resolve(batch);
    // The rest is drained when the first frame's promise settles (a microtask later): what was appended meanwhile comes too.
    return this.next().then((first) => (first.done ? [] : this.drain([first.value], max)));
  }

  return(): Promise<IteratorResult<E | ControlFrame>> {
    this.close();
    return Promise.resolve(DONE);
  }

  /** Stops the subscription now; a waiting `next()` resolves as done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.wake();
  }

  /** Called by the stream after each append. */
  onAppend(head: number): void {
    const liveUnread = head - Math.max(this.nextSequence - 1, this.replayUntil);
    if (liveUnread > this.queueLimit) this.lag();
    else this.wake();
  }

  onEnd(reason: EndReason): void {
    if (this.endReason || this.owed) return;
    this.endReason = reason;
    this.wake();
  }

  /** Overflow: keep what this subscriber had queued (bounded), then lagged and end. */
  lag(): void {
    if (this.owed || this.closed) return;
    const log = this.stream.log;
    const owed: E[] = [];
    const last = Math.min(log.head, this.nextSequence + this.queueLimit - 1);
    for (let s = Math.max(this.nextSequence, log.oldest); s <= last; s++) owed.push(this.mark(s, log.at(s)!));
    this.owed = owed;
    this.endReason = 'lagged';
    this.detach();
    this.wake();
  }

  /** Appends to `batch` every frame available now, up to `max` in all. */
  private drain(batch: (E | ControlFrame)[], max: number): (E | ControlFrame)[] {
    while (batch.length < max) {
      if (this.takeRun(batch, max)) continue;
      const ready = this.take();
      if (!ready || ready.done) break;
      batch.push(ready.value);
    }
    return batch;
  }

  /**
   * The common case of `drain`, without a result object per entry: retained entries straight from the
   * log, up to `max` in `batch`. False when `take` must decide (control frames, owed entries, the end).
   */
  private takeRun(batch: (E | ControlFrame)[], max: number): boolean {
    if (this.closed || this.owed !== null || this.pending.length > 0) return false;
    const log = this.stream.log;
    const from = this.nextSequence;
    if (from < log.oldest || from > log.head) return false;
    const last = Math.min(log.head, from + (max - batch.length) - 1);
    for (let s = from; s <= last; s++) batch.push(this.mark(s, log.at(s)!));
    this.nextSequence = last + 1;
    this.lastEntry = batch[batch.length - 1] as E;
    this.delivered = true;
    return true;
  }

  private take(): IteratorResult<E | ControlFrame> | null {
    if (this.closed) return DONE;
    const control = this.pending.shift();
    if (control) return this.deliver(control);
    if (this.owed) return this.takeOwed();
    const log = this.stream.log;
    if (this.nextSequence < log.oldest) {
      // Unreachable while the stream rescues subscribers before eviction; stay explicit if it happens.
      this.lag();
      return this.takeOwed();
    }
    if (this.nextSequence <= log.head) {
      const sequence = this.nextSequence++;
      return this.deliver(this.mark(sequence, log.at(sequence)!));
    }
    if (this.endReason) return this.deliver({ type: 'end', reason: this.endReason });
    return null;
  }

  private takeOwed(): IteratorResult<E | ControlFrame> {
    const entry = this.owed!.shift();
    if (entry !== undefined) return this.deliver(entry);
    this.pending.push({ type: 'end', reason: 'lagged' });
    return this.deliver({ type: 'lagged', resumeAfter: this.delivered ? this.stream.codec.cursor(this.lastEntry!) : this.lastCursor });
  }

  private mark(sequence: number, entry: E): E {
    return sequence <= this.replayUntil ? this.stream.codec.replayed(entry) : entry;
  }

  private deliver(value: E | ControlFrame): IteratorResult<E | ControlFrame> {
    const frame = value as { type?: string };
    if (frame.type === 'end') {
      this.closed = true;
      this.detach();
    } else if (!isControl(frame)) {
      this.lastEntry = value as E;
      this.delivered = true;
    }
    return { done: false, value };
  }

  private wake(): void {
    while (this.waiter) {
      const ready = this.take();
      if (!ready) return;
      const waiter = this.waiter;
      this.waiter = this.moreWaiters?.shift() ?? null;
      waiter(ready);
    }
  }
}

function isControl(frame: { type?: string }): boolean {
  return frame.type === 'expired' || frame.type === 'reset' || frame.type === 'lagged' || frame.type === 'end';
}
