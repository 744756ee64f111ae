import type { ProtocolEvent } from './protocolEvent.js';
import type { WorkerRef } from './workerRef.js';

/** A protocol event as stored on the bus. */
export interface Observation {
  readonly worker: WorkerRef;
  /** Per Worker, strictly increasing from 1 within an epoch. */
  readonly sequence: number;
  /** Resume exactly after this observation with this cursor. */
  readonly cursor: string;
  readonly publishedAt: number;
  readonly event: ProtocolEvent;
  /** True when the backend republished past history (an agent replaying a loaded session), not new output. */
  readonly history: boolean;
}

/**
 * What a subscription yields. `observation` frames carry `replayed: true` when they were read from
 * retention (resume) rather than delivered live. Control frames are explicit, never silent:
 * - `expired`: the requested cursor is older than retention; delivery continues from `oldest`.
 * - `reset`: the cursor belongs to another epoch (or is unknown); delivery restarts at the current epoch.
 * - `gap`: sequences `from..to` hold nothing deliverable (an entry the store could not decode, one it
 *   did not write, or one that is missing); they are skipped and delivery continues after `resumeAfter`.
 * - `lagged`: this subscriber's queue overflowed; resume after `resumeAfter`. The subscription ends.
 * - `end`: the subscription is over (closed, Worker removed, bus shut down, lagged).
 */
export type ObservationFrame =
  | { readonly type: 'observation'; readonly observation: Observation; readonly replayed: boolean }
  | { readonly type: 'expired'; readonly requested: string; readonly oldest: string }
  | { readonly type: 'reset'; readonly requested: string; readonly epoch: string }
  | GapFrame
  | { readonly type: 'lagged'; readonly resumeAfter: string | null }
  | { readonly type: 'end'; readonly reason: EndReason };

/**
 * Why sequences were skipped: `undecodable` (an entry of this stream whose payload cannot be read),
 * `foreign` (an entry the bus did not write), `missing` (no entry where one must be).
 */
export type GapReason = 'undecodable' | 'foreign' | 'missing';

/** Sequences `from..to` (inclusive) skipped, never delivered; `resumeAfter` is the cursor after them. */
export interface GapFrame {
  readonly type: 'gap';
  readonly from: number;
  readonly to: number;
  readonly reason: GapReason;
  readonly resumeAfter: string;
}

export type EndReason = 'closed' | 'lagged' | 'worker_removed' | 'shutdown' | 'bus_error';

/** A live subscription: iterate it for frames; `close()` ends it early. */
export interface ObservationSubscription extends AsyncIterable<ObservationFrame> {
  close(): void;
  /** Optional fast path: every frame available now (up to `max`) in one promise; `[]` once over. */
  nextBatch?(max?: number): Promise<ObservationFrame[]>;
}
