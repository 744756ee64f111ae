import { encodeCursor } from '../../domain/cursor.js';
import type { PublishResult } from '../../ports/executionContext.js';
import type { PublishReply } from './redisScripts.js';
import type { StreamState } from './redisStreamState.js';

/** Sends every stream's payloads in one script call; one reply per stream, in order. */
export type SendBatches = (batches: readonly (readonly [StreamState, readonly string[]])[]) => Promise<PublishReply[]>;

interface Batch {
  readonly payloads: string[];
  readonly settle: ((result: PublishResult) => void)[];
}

/** Payloads per script run: bounds how long one run holds Redis (about a microsecond each). */
const MAX_PAYLOADS = 1024;
const REFUSED: PublishResult = { ok: false, reason: 'bus_error', message: 'observation bus: Redis refused the command (not stored)' };

/**
 * Publishes made in the same turn of the event loop (a burst, or I/O callbacks handled together)
 * leave as one script run for all streams, each stream's sequences assigned in call order: Lua's
 * per-call cost is paid per turn, not per event. A lone publish waits for `setImmediate` only.
 * `flush()` sends what is pending right now: callers that must be ordered after earlier publishes
 * (subscribe, read, drop, close) flush first. Each stream is answered by what it stored: a broken
 * stream fails alone, its neighbours in the same run get their sequences.
 */
export class PublishBatches {
  private pending = new Map<StreamState, Batch>();
  private count = 0;
  private scheduled: ReturnType<typeof setImmediate> | null = null;

  constructor(
    private readonly send: SendBatches,
    private readonly fail: (error: unknown) => PublishResult,
  ) {}

  add(stream: StreamState, payload: string): Promise<PublishResult> {
    return new Promise((resolve) => {
      let batch = this.pending.get(stream);
      if (!batch) this.pending.set(stream, (batch = { payloads: [], settle: [] }));
      batch.payloads.push(payload);
      batch.settle.push(resolve);
      if (++this.count >= MAX_PAYLOADS) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.count === 0) return;
    const batches = [...this.pending];
    this.pending = new Map();
    this.count = 0;
    this.send(batches.map(([stream, batch]) => [stream, batch.payloads] as const)).then(
      (replies) => batches.forEach(([, { settle }], i) => settleAll(settle, replies[i]!)),
      (error: unknown) => {
        const result = this.fail(error);
        for (const [, { settle }] of batches) for (const resolve of settle) resolve(result);
      },
    );
  }
}

function settleAll(settle: readonly ((result: PublishResult) => void)[], { first, epoch, stored }: PublishReply): void {
  for (let n = 0; n < settle.length; n++) {
    settle[n]!(n < stored ? { ok: true, sequence: first + n, cursor: encodeCursor(epoch, first + n) } : REFUSED);
  }
}
