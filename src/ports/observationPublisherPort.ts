import type { ServiceIdentifier } from 'inversify';
import type { ProtocolEvent } from '../domain/protocolEvent.js';
import type { WorkerRef } from '../domain/workerRef.js';
import type { PublishOptions, PublishResult } from './executionContext.js';

/**
 * The writing side of the observation bus. Assigns each event its per-Worker sequence and cursor.
 * Events arrive already validated by the Runtime. Never blocks on subscribers.
 */
export interface ObservationPublisherPort {
  /**
   * Appends one event to the Worker's stream. Fails only as `bus_error` (storage unreachable).
   * `eventBytes`: the event's JSON size as the publish hook measured it (a bus that budgets bytes
   * measures the event itself when it is absent).
   */
  publish(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions, eventBytes?: number): Promise<PublishResult>;

  /**
   * Optional: `publish` answered synchronously, for a bus that appends in process (the memory bus).
   * Same effect and result as `publish`; the Runtime prefers it when present (one promise less per event).
   */
  publishNow?(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions, eventBytes?: number): PublishResult;

  /**
   * Optional. A new Worker with this ref begins (never called for a restored one): whatever the bus
   * still holds under the ref belongs to an earlier Worker (a removal the store never heard of), so the
   * stream starts a new epoch before anything is read or published for the new Worker, and old cursors
   * get `reset`. Does no I/O itself and never fails; a bus whose removals always land may omit it.
   */
  beginStream?(worker: WorkerRef): void;
}

export const ObservationPublisherPort: ServiceIdentifier<ObservationPublisherPort> = Symbol.for(
  'worker-runtime/ObservationPublisherPort',
);
