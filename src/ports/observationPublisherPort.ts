import type { ServiceIdentifier } from 'inversify';
import type { ProtocolEvent } from '../domain/protocolEvent.js';
import type { WorkerRef } from '../domain/workerRef.js';
import type { PublishOptions, PublishResult } from './executionContext.js';

/**
 * The writing side of the observation bus. Assigns each event its per-Worker sequence and cursor.
 * Events arrive already validated by the Runtime. Never blocks on subscribers.
 */
export interface ObservationPublisherPort {
  /** Appends one event to the Worker's stream. Fails only as `bus_error` (storage unreachable). */
  publish(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions): Promise<PublishResult>;
}

export const ObservationPublisherPort: ServiceIdentifier<ObservationPublisherPort> = Symbol.for(
  'worker-runtime/ObservationPublisherPort',
);
