import type { ServiceIdentifier } from 'inversify';

/** Identifiers the Runtime generates; never taken from a caller's JSON. */
export interface IdPort {
  submissionId(): string;
  workerId(): string;
  /** A new stream epoch: short, `[A-Za-z0-9_-]`, unique across restarts. */
  epoch(): string;
}

export const IdPort: ServiceIdentifier<IdPort> = Symbol.for('worker-runtime/IdPort');
