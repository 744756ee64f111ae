import type { Diagnostic } from '../../domain/diagnostic.js';

/** What the fake does for one call. `hang` never answers (and ignores the abort signal). */
export type SpawnBehaviour = 'ready' | 'busy_ready' | 'reject' | 'throw' | 'hang' | 'invalid';
export type DispatchBehaviour = 'accept' | 'busy' | 'reject' | 'throw' | 'hang' | 'wrong_ack' | 'missing_ack' | 'invalid';
export type ControlBehaviour = 'done' | 'reject' | 'throw' | 'hang' | 'unsupported';

/** A behaviour, optionally after a delay (a slow backend). */
export type Delayed<B> = B | { readonly delayMs: number; readonly then: B };

export interface FakeBehaviours {
  spawn: Delayed<SpawnBehaviour>;
  dispatch: Delayed<DispatchBehaviour>;
  stop: Delayed<ControlBehaviour>;
  cancel: Delayed<ControlBehaviour>;
  method: Delayed<ControlBehaviour>;
  snapshot: Delayed<ControlBehaviour>;
  restore: Delayed<SpawnBehaviour | 'unsupported'>;
  decide: Delayed<ControlBehaviour>;
}

export const DEFAULT_BEHAVIOURS: FakeBehaviours = {
  spawn: 'ready',
  dispatch: 'accept',
  stop: 'done',
  cancel: 'done',
  method: 'done',
  snapshot: 'done',
  restore: 'ready',
  decide: 'done',
};

/** Optional methods the fake exposes; an absent one is absent from the object, so the Runtime says `unsupported`. */
export interface FakeCapabilities {
  stop: boolean;
  cancel: boolean;
  restore: boolean;
  method: boolean;
  snapshot: boolean;
  /** `decide`: questions can be put to a person (else `ask` is refused and the fake answers by policy). */
  decide: boolean;
}

export const ALL_CAPABILITIES: FakeCapabilities = { stop: true, cancel: true, restore: true, method: true, snapshot: true, decide: true };

/** How an accepted input plays out: `auto` finishes the run on the next macrotask; `manual` waits for `finishRun`. */
export type RunMode = 'auto' | 'manual';

export function fakeDiagnostic(code: string, message: string): Diagnostic {
  return { code, severity: 'error', message };
}
