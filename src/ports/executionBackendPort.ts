import type { ServiceIdentifier } from 'inversify';
import type { DecisionAnswer } from '../domain/decision.js';
import type { Diagnostic } from '../domain/diagnostic.js';
import type { WorkerInput } from '../domain/workerInput.js';
import type { WorkerMethod } from '../domain/workerMethod.js';
import type { RunState } from '../domain/workerState.js';
import type { ExecutionContext } from './executionContext.js';

/** An opaque token a backend returns at spawn to route later calls. It never leaves the Runtime. */
export type ExecutionHandle = unknown;

export interface SpawnRequest {
  /** The profile the Worker was created with, and that profile's backend options (the backend parses them). */
  readonly profile: string;
  readonly profileOptions: unknown;
  readonly displayName: string | null;
}

export interface RestoreRequest extends SpawnRequest {
  /** What the backend recorded for this Worker before (from its last spawn or restore), if anything. */
  readonly restoreToken: string | null;
}

export type SpawnResult =
  | { readonly status: 'ready'; readonly handle: ExecutionHandle; readonly state?: RunState; readonly restoreToken?: string }
  | { readonly status: 'rejected'; readonly diagnostic: Diagnostic };

export type RestoreResult = SpawnResult | { readonly status: 'unsupported' };

export type DispatchResult =
  /** Committed: `submissionId` must echo the Runtime's id exactly. `state` is the run state it left. */
  | { readonly status: 'accepted'; readonly submissionId: string | undefined; readonly state?: RunState }
  | { readonly status: 'busy'; readonly message?: string }
  | { readonly status: 'rejected'; readonly diagnostic: Diagnostic };

export type ControlResult =
  | { readonly status: 'done' }
  | { readonly status: 'rejected'; readonly diagnostic: Diagnostic }
  | { readonly status: 'unsupported' };

/** What a backend's own record says of one submission (see `inputRecord`). */
export type InputRecordResult = { readonly status: 'committed' } | { readonly status: 'not_committed' } | { readonly status: 'unknown' };

export type SnapshotResult =
  | { readonly status: 'ready'; readonly snapshot: Readonly<Record<string, unknown>> }
  | { readonly status: 'rejected'; readonly diagnostic: Diagnostic }
  | { readonly status: 'unsupported' };

/**
 * The adapter that really executes Workers. Every call is async, gets an `AbortSignal` that fires at
 * the Runtime's deadline, and returns a typed result; a throw or a missed deadline becomes `errored`
 * for that Worker only. Optional methods that are absent mean `unsupported`, decided by the Runtime.
 * Backends publish protocol events only through the `ExecutionContext` they were given; they never
 * author a result for a Worker they were not asked about.
 *
 * Answers are parsed at this boundary: each field is read once into the Runtime's own copy and checked
 * (status, run state, ids, bounds; diagnostics are sanitised). An answer that does not match its type,
 * or whose reading throws (getters, proxies), is `errored` with `backend_protocol_error` for that
 * Worker. A deadline is not an answer: after a call times out, no second call of that kind goes to the
 * same Worker (the Runtime answers `call_outstanding`, or `run_in_flight` for input) until the first
 * settles or the execution is released (stop, removal, shutdown); the late answer is then reconciled.
 */
export interface ExecutionBackendPort {
  /** Stable id a profile names to select this backend. */
  readonly backendId: string;

  /**
   * Starts an execution for a reserved Worker. Called once per Worker generation, in state `starting`.
   * `ready` commits the Worker (state `idle` unless `state` says otherwise); `rejected` leaves it
   * `unavailable` with the (sanitised) diagnostic. If the signal fires, the backend must release
   * whatever it started; a late `ready` is stopped by the Runtime, and so is a `ready` whose other
   * fields are malformed. Events published through `context` before the answer stay on the Worker's
   * stream even when the spawn then fails or times out (they are real output, often why it failed);
   * from the failure on the context is revoked. `restoreToken` is at most 4096 characters.
   */
  spawn(request: SpawnRequest, context: ExecutionContext, signal: AbortSignal): Promise<SpawnResult>;

  /**
   * Hands one input to a connected Worker (`idle`, never while another input is in flight).
   * `accepted` means committed by the execution and must echo `submissionId`; a missing or different
   * id is turned into `rejected` (`commit_ack_mismatch`) by the Runtime. `busy` when the execution
   * itself is running; `rejected` with a diagnostic otherwise. The signal may be shared by successive
   * dispatches to the same Worker (never concurrent ones): remove any listener you add once the call settles.
   *
   * Past the deadline the caller gets `errored` (`dispatch_timeout`, with the submission id) and the
   * Worker stays `busy`, taking no new input, until this call settles (or the Worker is stopped): the
   * input may be running. The late answer is reconciled: `accepted` with the same id is a commit whose
   * run goes on through its events (the Worker's diagnostic says `input_committed_late`); anything else
   * means it never ran (the Worker is `idle` again, diagnostic `input_not_committed`). Either
   * diagnostic is cleared by the next committed input.
   */
  dispatchInput(handle: ExecutionHandle, input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult>;

  /** Reattaches to an execution after a Runtime restart. `unsupported` when it cannot. */
  restore?(request: RestoreRequest, context: ExecutionContext, signal: AbortSignal): Promise<RestoreResult>;

  /**
   * Ends a Worker's execution and releases everything it holds (processes, sockets). Called in any
   * connected state. `done` means nothing of it is left running. While it runs the Worker is
   * `stopping` (on request, announced only if the answer takes longer than the current turn);
   * `rejected` or `unsupported` then leaves it exactly as it was (at shutdown, it is released). A Worker this backend cannot stop (no `stop`, or it
   * answered `unsupported`) is released instead by `remove` and by shutdown: its context is revoked
   * (its `signal` fires) and, at shutdown, `dispose` is called; it ends `stopped`.
   */
  stop?(handle: ExecutionHandle, signal: AbortSignal): Promise<ControlResult>;

  /** Asks the current run to end (`busy` or `paused` Workers). The run's end arrives as events. */
  cancel?(handle: ExecutionHandle, signal: AbortSignal): Promise<ControlResult>;

  /** Sends a worker-protocol method (pause, resume, compact, ...). Replies arrive as events. */
  dispatchMethod?(handle: ExecutionHandle, method: WorkerMethod, signal: AbortSignal): Promise<ControlResult>;

  /**
   * Delivers the answer to a question this Worker's context asked (`ExecutionContext.ask`), at most once
   * per question: a person's option (`decidedBy: 'person'`, an id the question offered), or
   * `decidedBy: 'timeout'` (answer with your fallback; publish it with reason `decision_timeout`).
   * `done` once the agent has it; `rejected` when the question is no longer open here. Publish the
   * answer (`permission_resolved` with who decided). Absent: the Runtime refuses `ask` (`unsupported`)
   * and `decide` answers `unsupported`. Past its deadline (`deadlines.decideMs`) the caller gets
   * `errored` (`decide_timeout`); the question is not answered a second time meanwhile.
   */
  decide?(handle: ExecutionHandle, answer: DecisionAnswer, signal: AbortSignal): Promise<ControlResult>;

  /** The execution's current snapshot event data, as the backend has it. */
  snapshot?(handle: ExecutionHandle, signal: AbortSignal): Promise<SnapshotResult>;

  /**
   * Optional. Whether this execution committed the input `submissionId`, from the backend's own record.
   * Asked only after a restart, about a queued input the Runtime had handed over (`dispatching`) without
   * recording the acknowledgement: `committed` settles it `committed`; `not_committed` (only when the
   * record is complete enough to say so) dispatches it, once; `unknown`, an absent method, a throw, a
   * malformed answer or the deadline (`dispatchMs`) settle it `unknown` with a diagnostic. Never sent twice.
   */
  inputRecord?(handle: ExecutionHandle, submissionId: string, signal: AbortSignal): Promise<InputRecordResult>;

  /** Releases backend-wide resources at Runtime shutdown, after every Worker was stopped. */
  dispose?(signal: AbortSignal): Promise<void>;
}

export const ExecutionBackendPort: ServiceIdentifier<ExecutionBackendPort> = Symbol.for('worker-runtime/ExecutionBackendPort');
