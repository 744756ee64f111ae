import type { DecidedBy } from '../domain/decision.js';
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

/** The answer to `ask`: the Runtime's id for the open question, or why it will not be put to a person. */
export type AskResult =
  | { readonly ok: true; readonly decisionId: string }
  | {
      readonly ok: false;
      readonly reason: 'revoked' | 'not_connected' | 'invalid_question' | 'too_many' | 'unsupported';
      readonly message: string;
    };

export interface PublishOptions {
  /** The event republishes past history (a loaded session), not new output. */
  readonly history?: boolean;
}

/**
 * What the Runtime hands a backend for one Worker connection. It is the only way a backend can
 * publish, and it is guarded: only this Worker, only while this connection is live, only
 * schema-valid, size-bounded events, each answered with a typed result (never a throw, whatever the
 * backend passes). After stop, removal, a failed spawn, shutdown or a reported loss it is revoked:
 * `publish` answers `revoked` and stores nothing, and `signal` has fired.
 */
export interface ExecutionContext {
  /** A frozen copy of the Worker's ref (changing it changes nothing: the Runtime routes by its own). */
  readonly worker: WorkerRef;
  readonly runGeneration: number;
  /** Aborts when the context is revoked or its execution reported lost. */
  readonly signal: AbortSignal;
  /**
   * Appends one protocol event to this Worker's stream; the event moves the Worker's run state
   * (docs/protocol.md). A run ends once: its first end report (`run_end`, `status: idle`, a run-ending
   * `error`) ends it, and the one it still owes (`status: idle` after `run_end`, or `run_end` after
   * the others) ends nothing when it arrives, even after the next input's run started; an end report
   * while the Worker is idle owes nothing. Fails as `revoked` (context revoked or
   * lost), `invalid_event` (not a valid event, or one that cannot be read), `too_large` (its JSON
   * is over the Runtime's `maxEventBytes`, counted as stored and sent) or `bus_error`.
   */
  publish(event: unknown, options?: PublishOptions): Promise<PublishResult>;
  /**
   * The execution is gone (process exited, socket closed): a connected Worker becomes `unavailable`
   * with this (sanitised) diagnostic and this context is revoked for publishing; what the backend
   * still sends for it is refused, so nothing from a dead execution is stored. Ignored before the
   * Worker is committed (while `starting`: answer the spawn instead) and once revoked.
   */
  reportLost(diagnostic: Diagnostic): void;
  /**
   * The execution came back after `reportLost` (a reconnect): the Worker is connected again in
   * `state`, and the returned context is the one to publish with from now on (this one stays revoked).
   * Answers undefined, changing nothing, on a context that did not report a loss, after a restore was
   * already taken, or when the Worker was stopped or removed meanwhile. A `state` that is not a run
   * state leaves the Worker `unavailable` (`backend_protocol_error`).
   */
  reportRestored(state: RunState): ExecutionContext | undefined;
  /**
   * Puts a question to a person (a permission decision): `{ title, toolKind?, toolCallId?, options:
   * [{ id, name, kind }], timeoutMs? }`, parsed and sanitised by the Runtime. While it is open the
   * Worker is `requires_action` and its projection lists it. It ends exactly once: the Runtime calls the
   * backend's `decide` with a person's option, or with `timeout` once `timeoutMs` (default: the Runtime's
   * `deadlines.askMs`) passed; or the backend ends it itself with `closeDecision`. Refused (never a
   * throw) as `revoked`, `not_connected` (the Worker is not connected), `invalid_question`, `too_many`
   * (16 open already) or `unsupported` (the backend has no `decide`): then the backend answers by its
   * own policy. The backend publishes the question and its answer as events (the Runtime publishes none).
   * Optional so that contexts made by hand (tests) need not have it; the Runtime's always do.
   */
  ask?(question: unknown): AskResult;
  /**
   * The backend answered an open question itself (a cancel or stop answers them `cancelled`; an agent
   * that withdrew its request; a deadline of its own): the Worker stops listing it. Ignored for an id
   * that is not open, and once the context is revoked.
   */
  closeDecision?(decisionId: string, decidedBy: Exclude<DecidedBy, 'person'>): void;
}
