import type { EndReason } from '../observation.js';
import { LogSubscription } from './logSubscription.js';
import { RingLog } from './ringLog.js';
import type { ControlFrame, EntryCodec } from './streamFrames.js';

export interface SubscribeAt {
  /** First sequence to deliver. */
  readonly from: number;
  /** Frames delivered before any entry (`expired`, `reset`). */
  readonly leading?: readonly ControlFrame[];
  /** The cursor the subscriber resumes after, if any. */
  readonly after?: string | null;
  /** Unread live entries a subscriber may hold before it is `lagged`. */
  readonly queueLimit: number;
}

/**
 * One bounded log and its subscribers. Subscribers read entries straight from the log by sequence,
 * so replay and live delivery are one path and the handoff between them cannot skip or repeat.
 * Appending never waits: it only checks each subscriber's bound and wakes the ones waiting.
 */
export class LogStream<E> {
  readonly log: RingLog<E>;
  private readonly subscribers = new Set<LogSubscription<E>>();
  private endReason: EndReason | null = null;

  constructor(
    capacity: number,
    readonly codec: EntryCodec<E>,
  ) {
    this.log = new RingLog<E>(capacity);
  }

  get ended(): EndReason | null {
    return this.endReason;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  append(entry: E): number {
    if (this.endReason) throw new Error('append to an ended stream');
    if (this.log.full && this.subscribers.size > 0) this.rescueBeforeEviction(this.log.oldest);
    const sequence = this.log.append(entry);
    for (const subscriber of this.subscribers) subscriber.onAppend(sequence);
    return sequence;
  }

  /** Evicts the oldest entry now (a byte budget): subscribers that still owe it are handled as on overflow. */
  evictOldest(): void {
    if (this.log.size === 0) return;
    if (this.subscribers.size > 0) this.rescueBeforeEviction(this.log.oldest);
    this.log.dropOldest();
  }

  subscribe(at: SubscribeAt): LogSubscription<E> {
    const subscription = new LogSubscription<E>(
      this,
      at.from,
      this.log.head,
      at.queueLimit,
      at.leading ?? [],
      at.after ?? null,
      () => this.subscribers.delete(subscription),
    );
    if (this.endReason) subscription.onEnd(this.endReason);
    else this.subscribers.add(subscription);
    return subscription;
  }

  /** Ends every subscription after it has read what is left for it. */
  end(reason: EndReason): void {
    if (this.endReason) return;
    this.endReason = reason;
    for (const subscriber of [...this.subscribers]) subscriber.onEnd(reason);
    this.subscribers.clear();
  }

  private rescueBeforeEviction(evicted: number): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.nextSequence <= evicted) subscriber.lag();
    }
  }
}
