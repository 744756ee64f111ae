import type { Diagnostic } from '../domain/diagnostic.js';
import type { WorkerRef } from '../domain/workerRef.js';
import type { RunState } from '../domain/workerState.js';

export type PublishResult =
  | { readonly ok: true; readonly sequence: number; readonly cursor: string }
  | {
      readonly ok: false;
      readonly reason: 'revoked' | 'invalid_event' | 'too_large' | 'bus_error';
      readonly message: string;
    };

export interface PublishOptions {
  /** The event republishes past history (a loaded session), not new output. */
  readonly history?: boolean;
}

/**
 * What the Runtime hands a backend for one Worker generation. It is the only way a backend can
 * publish, and it is guarded: only this Worker, only while this generation is live, only
 * schema-valid, size-bounded events. After stop, removal or a lost connection it is revoked and
 * every call answers `revoked`.
 */
export interface ExecutionContext {
  readonly worker: WorkerRef;
  readonly runGeneration: number;
  /** Aborts when the context is revoked. */
  readonly signal: AbortSignal;
  publish(event: unknown, options?: PublishOptions): Promise<PublishResult>;
  /** The execution is gone (process exited, socket closed): the Worker becomes `unavailable`. */
  reportLost(diagnostic: Diagnostic): void;
  /** The execution came back (a reconnect): the Worker is connected again in `state`. */
  reportRestored(state: RunState): void;
}
