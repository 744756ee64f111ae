import type { WorkerInput } from '../../domain/workerInput.js';
import type { WorkerMethod } from '../../domain/workerMethod.js';
import type { ControlResult, DispatchResult, SnapshotResult } from '../../ports/executionBackendPort.js';
import { hasReply } from './methodReplies.js';
import { withoutCwd } from './snapshotData.js';
import { Diagnostics } from './workerBridgeDiagnostics.js';
import type { WorkerLink } from './workerLink.js';
import { within } from '../process/within.js';

/** The longest a cancel escalation may wait for a started worker to go, so cancel still answers in time. */
const CANCEL_KILL_WAIT_MS = 1_000;

/** The method line that carries an input: `run { input }` or `notify { message, auto_run }`. */
export function inputMethod(input: WorkerInput): Record<string, unknown> {
  return input.kind === 'user'
    ? { method: 'run', params: { input: input.segments } }
    : { method: 'notify', params: { message: input.message, auto_run: input.autoRun ?? true } };
}

/**
 * The operations of one Worker over its link: input (committed on the worker's own `user_message`,
 * see SubmissionTracker), cancel, worker-protocol methods, snapshot, stop.
 */
export class WorkerSession {
  constructor(readonly link: WorkerLink) {}

  /**
   * Writes `run` / `notify` and waits for the worker to commit it. `accepted` (echoing
   * `submissionId`) once its committed `user_message` (notify: or `system_item`) was published;
   * `busy` on `error { code: already_running }` or while another input is being committed;
   * `rejected` on any other error answer (`worker_input_refused`), no commit within `ackMs`
   * (`worker_ack_timeout`), or no connection.
   */
  async dispatch(input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult> {
    const { link } = this;
    const connection = link.connected;
    if (!connection) return { status: 'rejected', diagnostic: link.lossWhy ?? Diagnostics.unavailable() };
    if (link.submissions.waiting) return { status: 'busy', message: 'another input is being committed' };
    const { outcome, arm } = link.submissions.begin(input);
    link.step(arm);
    if (!(await connection.send(inputMethod(input)))) {
      link.submissions.abandon();
      return { status: 'rejected', diagnostic: Diagnostics.disconnected() };
    }
    const { ackMs } = link.options.timeouts;
    const answer = await within(outcome, ackMs, signal);
    if (answer.kind !== 'ok') {
      link.submissions.abandon();
      return { status: 'rejected', diagnostic: answer.kind === 'aborted' ? Diagnostics.ackAbandoned('input') : Diagnostics.ackTimeout(ackMs) };
    }
    switch (answer.value.kind) {
      case 'committed':
        return { status: 'accepted', submissionId, state: input.kind === 'user' ? 'busy' : link.runState };
      case 'busy':
        return { status: 'busy', message: 'the worker is already running' };
      case 'refused':
        return { status: 'rejected', diagnostic: Diagnostics.inputRefused(answer.value.code) };
      default:
        return { status: 'rejected', diagnostic: link.lossWhy ?? Diagnostics.disconnected() };
    }
  }

  /**
   * Writes `cancel` and waits for the run to end (run state idle). `done` once it ended (or nothing
   * ran). If it has not ended within `cancelMs`: a started worker is stopped and the Worker lost,
   * an attached one is left running; either way `rejected` (`worker_cancel_timeout`).
   */
  async cancel(signal: AbortSignal): Promise<ControlResult> {
    const { link } = this;
    const connection = link.connected;
    if (!connection) return { status: 'rejected', diagnostic: link.lossWhy ?? Diagnostics.unavailable() };
    if (link.runState === 'idle' && !link.submissions.waiting) return { status: 'done' };
    const ended = link.whenRunEnds();
    if (!(await connection.send({ method: 'cancel' }))) return { status: 'rejected', diagnostic: Diagnostics.disconnected() };
    const { cancelMs, stopGraceMs } = link.options.timeouts;
    const outcome = await within(ended, cancelMs, signal);
    if (outcome.kind === 'ok') return outcome.value ? { status: 'done' } : { status: 'rejected', diagnostic: link.lossWhy ?? Diagnostics.disconnected() };
    const stopped = link.target.process !== null;
    const why = Diagnostics.cancelTimeout(cancelMs, stopped);
    if (stopped) await within(link.lose(why, Math.min(stopGraceMs, CANCEL_KILL_WAIT_MS)), CANCEL_KILL_WAIT_MS);
    return { status: 'rejected', diagnostic: why };
  }

  /**
   * Writes a worker-protocol method line and waits for the worker's reply (`methodReplies`): `done`
   * once it was published; `rejected` on an `error` answer (`worker_method_refused`), no reply within
   * `ackMs` (`worker_method_timeout`), the Runtime's deadline (`worker_ack_abandoned`), another request
   * still waiting (`worker_busy`) or no connection. A method without a known reply is done once written.
   */
  async method(method: WorkerMethod, signal: AbortSignal): Promise<ControlResult> {
    const { link } = this;
    const connection = link.connected;
    if (!connection) return { status: 'rejected', diagnostic: link.lossWhy ?? Diagnostics.unavailable() };
    const line = 'params' in method ? { method: method.method, params: method.params } : { method: method.method };
    if (!hasReply(method.method)) return (await connection.send(line)) ? { status: 'done' } : { status: 'rejected', diagnostic: Diagnostics.disconnected() };
    if (link.submissions.waiting) return { status: 'rejected', diagnostic: Diagnostics.busy() };
    const { outcome, arm } = link.submissions.beginMethod(method.method);
    link.step(arm);
    if (!(await connection.send(line))) {
      link.submissions.abandon();
      return { status: 'rejected', diagnostic: Diagnostics.disconnected() };
    }
    const { ackMs } = link.options.timeouts;
    const answer = await within(outcome, ackMs, signal);
    if (answer.kind !== 'ok') {
      link.submissions.abandon();
      return { status: 'rejected', diagnostic: answer.kind === 'aborted' ? Diagnostics.ackAbandoned('method') : Diagnostics.methodTimeout(method.method, ackMs) };
    }
    switch (answer.value.kind) {
      case 'committed':
        return { status: 'done' };
      case 'busy':
        return { status: 'rejected', diagnostic: Diagnostics.methodRefused(method.method, 'already_running') };
      case 'refused':
        return { status: 'rejected', diagnostic: Diagnostics.methodRefused(method.method, answer.value.code) };
      default:
        return { status: 'rejected', diagnostic: link.lossWhy ?? Diagnostics.disconnected() };
    }
  }

  /** The latest snapshot the worker sent (at the last connect), without the greeting's `cwd`. */
  snapshot(): SnapshotResult {
    const latest = this.link.latestSnapshot;
    if (!latest || !this.link.connected) return { status: 'rejected', diagnostic: this.link.lossWhy ?? Diagnostics.unavailable() };
    return { status: 'ready', snapshot: withoutCwd(latest) };
  }
}
