import type { ServiceIdentifier } from 'inversify';
import type { EndReason, GapReason, Observation, ObservationSubscription } from '../domain/observation.js';
import type { RetentionReport } from '../domain/stream/retentionBudget.js';
import type { WorkerRef } from '../domain/workerRef.js';

export interface SubscribeOptions {
  /** Resume exactly after this cursor; absent means from the oldest retained observation. */
  readonly after?: string | null;
  /** Unread live observations this subscriber may hold before it gets `lagged`. */
  readonly queueLimit?: number;
}

export interface ReadOptions {
  readonly after?: string | null;
  readonly limit: number;
}

/** Sequences a read skipped (see the `gap` frame). */
export interface ReadGap {
  readonly from: number;
  readonly to: number;
  readonly reason: GapReason;
}

export type ReadResult =
  | {
      readonly status: 'ok';
      readonly observations: readonly Observation[];
      readonly next: string | null;
      /** Sequences skipped among the ones read (a bus that can store undecodable entries reports them). */
      readonly gaps?: readonly ReadGap[];
      /** Read from the start (`after` null) of a history that lost its oldest observations (retention, a memory budget). */
      readonly truncated?: boolean;
    }
  | { readonly status: 'expired'; readonly oldest: string }
  | { readonly status: 'reset'; readonly epoch: string };

/**
 * The reading side of the observation bus. Subscriptions replay after a cursor and continue live,
 * with explicit `expired`, `reset`, `lagged` and `end` frames (see ObservationFrame).
 */
export interface ObservationReaderPort {
  /** Subscribes to one Worker's stream. A Worker with no stream yet gets an empty live stream. */
  subscribe(worker: WorkerRef, options?: SubscribeOptions): ObservationSubscription;

  /**
   * Reads up to `limit` retained observations after a cursor, oldest first. Skipped sequences are
   * listed in `gaps` and `next` moves past them. Rejects when the store cannot be reached.
   */
  read(worker: WorkerRef, options: ReadOptions): Promise<ReadResult>;

  /** Ends the Worker's subscriptions with `reason` and forgets its stream. */
  drop(worker: WorkerRef, reason: EndReason): Promise<void>;

  /**
   * Optional. What the retained observations of all Workers take against the bus's memory budget (a
   * bus that keeps them in this process); absent for a bus whose storage is elsewhere.
   */
  retention?(): RetentionReport;

  /** Ends every subscription with an `end` frame; later subscriptions end at once. */
  close(): Promise<void>;
}

export const ObservationReaderPort: ServiceIdentifier<ObservationReaderPort> = Symbol.for('worker-runtime/ObservationReaderPort');
