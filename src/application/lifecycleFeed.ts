import { encodeCursor } from '../domain/cursor.js';
import type { LifecycleChange } from '../domain/projection.js';
import { LogStream } from '../domain/stream/logStream.js';
import type { LogSubscription } from '../domain/stream/logSubscription.js';
import { planResume } from '../domain/stream/resumePlan.js';
import type { ControlFrame, EntryCodec } from '../domain/stream/streamFrames.js';

/** One lifecycle change as a subscriber sees it. */
export interface LifecycleFrame {
  readonly type: 'lifecycle';
  readonly cursor: string;
  readonly replayed: boolean;
  readonly change: LifecycleChange;
}

export type LifecycleSubscription = LogSubscription<LifecycleFrame>;
export type LifecycleItem = LifecycleFrame | ControlFrame;

const codec: EntryCodec<LifecycleFrame> = {
  cursor: (frame) => frame.cursor,
  replayed: (frame) => ({ ...frame, replayed: true }),
};

/** The Runtime's own stream of Worker changes (created, changed, removed), kept apart from protocol streams. */
export class LifecycleFeed {
  private readonly stream: LogStream<LifecycleFrame>;

  constructor(
    private readonly epoch: string,
    retention: number,
    /** Default unread changes a subscriber may hold before `lagged`. */
    private readonly queueLimit = 1024,
  ) {
    this.stream = new LogStream(retention, codec);
  }

  emit(change: LifecycleChange): void {
    if (this.stream.ended) return;
    const sequence = this.stream.log.head + 1;
    this.stream.append({ type: 'lifecycle', cursor: encodeCursor(this.epoch, sequence), replayed: false, change });
  }

  /** Without a cursor: live changes only (a client lists Workers first). With one: resume exactly after it. */
  subscribe(after?: string | null, queueLimit = this.queueLimit): LifecycleSubscription {
    const { log } = this.stream;
    if (after == null) return this.stream.subscribe({ from: log.head + 1, queueLimit });
    const plan = planResume(after, this.epoch, log.oldest, log.head);
    return this.stream.subscribe({ ...plan, queueLimit });
  }

  close(): void {
    this.stream.end('shutdown');
  }
}
