import { z } from 'zod';
import { BusyPolicySchema, type BusyPolicy } from '../domain/busyPolicy.js';
import { diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { plainInput } from '../domain/inputShape.js';
import { IdempotencyKeySchema } from '../domain/queuedInput.js';
import { WorkerInputSchema, type WorkerInput } from '../domain/workerInput.js';
import { parseDispatchAnswer } from './backendAnswers.js';
import { BackendCall, type LateOutcome } from './backendCall.js';
import { backendText, thrownMessage } from './backendOutcome.js';
import { notFound, parseArgument } from './operationResults.js';
import type { QueuedInputs } from './queuedInputs.js';
import type { QueueOperations } from './queueOperations.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';

/** How one input treats a busy Worker: its busy policy (if its profile allows it) and its idempotency key. */
export interface SubmitOptions {
  readonly busyPolicy?: BusyPolicy;
  readonly idempotencyKey?: string;
}
const SubmitOptionsSchema = z.strictObject({ busyPolicy: BusyPolicySchema.optional(), idempotencyKey: IdempotencyKeySchema.optional() });
const NO_OPTIONS: SubmitOptions = {};
const PARSED_NO_OPTIONS = { ok: true, data: NO_OPTIONS } as const;

/** Diagnostics a late dispatch answer leaves on a connected Worker, until its next committed input. */
const LATE_CODES: ReadonlySet<string> = new Set(['input_committed_late', 'input_not_committed', 'decision_lost']);

/**
 * The input use case: one committed input per idle Worker at a time (single flight). Input to a busy
 * Worker gets its busy policy: `reject` (`run_in_flight`), `enqueue` or `interrupt` (the queue,
 * dispatched later through `commit`, the same commit-ack path). A dispatch that times out keeps the
 * Worker busy (no new input) until the backend's call settles or the execution is released; its late
 * answer is then reconciled, never dropped.
 */
export class InputDispatch {
  constructor(
    private readonly core: RuntimeCore,
    private readonly queued: QueuedInputs,
    private readonly queueOps: QueueOperations,
  ) {}

  /** Not itself async: the common path is `commit`'s own promise, with no layer around it. */
  submitInput(workerId: string, input: unknown, options: unknown = NO_OPTIONS): Promise<OperationResult> {
    const answer = this.decide(workerId, input, options);
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  }

  private decide(workerId: string, input: unknown, options: unknown): OperationResult | Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    // The common shapes by a structural check (the HTTP route has parsed them already); the rest by the schema.
    const plain = plainInput(input);
    const parsed = plain ? { ok: true as const, data: plain } : parseArgument(WorkerInputSchema, input, 'input', record?.state ?? null);
    if (!parsed.ok) return parsed.result;
    const opts = options === NO_OPTIONS || options === undefined ? PARSED_NO_OPTIONS : parseArgument(SubmitOptionsSchema, options ?? {}, 'input', record?.state ?? null);
    if (!opts.ok) return opts.result;
    if (!record) return notFound('input');
    const refusal = core.refuseUnlessConnected('input', record);
    if (refusal) return refusal;
    const requested = opts.data.busyPolicy;
    const chosen = requested === undefined ? undefined : this.queued.policyFor(record, requested);
    if (chosen !== undefined && typeof chosen !== 'string') return chosen;
    const key = opts.data.idempotencyKey ?? null;
    if (key !== null) {
      const repeat = this.queued.repeat(record, key, parsed.data);
      if (repeat) return repeat;
    }
    if (record.inFlight || record.runState !== 'idle' || record.awaits('input') || this.queued.length(record) > 0) {
      const policy = chosen ?? this.queued.busyOf(record.profile).policy;
      if (policy === 'enqueue') return this.queued.enqueue(record, parsed.data, key);
      if (policy === 'interrupt') return this.queueOps.interrupt(record, parsed.data, key);
      return operationResult('input', 'run_in_flight', record.state);
    }
    record.inFlight = true;
    return this.commit(record, parsed.data, core.ports.ids.submissionId());
  }

  /**
   * The commit-ack path, for a caller that took the single flight (`record.inFlight`); releases it.
   * `committed` only when the backend acknowledged exactly `submissionId`.
   */
  async commit(record: WorkerRecord, input: WorkerInput, submissionId: string): Promise<OperationResult> {
    const { core } = this;
    const versionBefore = record.runStateVersion;
    const backend = record.backend!;
    try {
      const settled = await new DispatchCall(this, record, submissionId, versionBefore).run(
        core.ports.clock,
        core.options.deadlines.dispatchMs,
        (signal) => backend.dispatchInput(record.handle, input, submissionId, signal),
        record.dispatchControl(),
      );
      if (settled.kind === 'outstanding') return operationResult('input', 'run_in_flight', record.state);
      if (settled.kind === 'timeout') {
        return operationResult('input', 'dispatch_timeout', record.state, {
          submissionId,
          message: 'the backend did not answer in time; the Worker takes no new input until it does',
        });
      }
      if (settled.kind === 'threw') return operationResult('input', 'backend_error', record.state, { message: thrownMessage(settled.error) });
      const answer = parseDispatchAnswer(settled.value);
      if (!answer.ok) return operationResult('input', 'backend_protocol_error', record.state, { message: answer.message });
      const value = answer.value;
      switch (value.status) {
        case 'accepted':
          if (value.submissionId !== submissionId) {
            return operationResult('input', 'commit_ack_mismatch', record.state, {
              message: 'the backend did not acknowledge this submission',
            });
          }
          if (record.diagnostic && LATE_CODES.has(record.diagnostic.code)) {
            record.diagnostic = null;
            core.changed(record);
          }
          if (record.runStateVersion === versionBefore) core.setRunState(record, value.state ?? 'busy');
          return operationResult('input', 'committed', record.state, { submissionId });
        case 'busy': {
          const message = backendText(value.message, 256);
          return operationResult('input', 'backend_busy', record.state, message ? { message } : {});
        }
        case 'rejected':
          return operationResult('input', 'backend_rejected', record.state, { diagnostic: value.diagnostic, message: value.diagnostic.message });
      }
    } finally {
      record.inFlight = false;
      this.queued.drain.wake(record); // inputs queued while this one was being dispatched (none: a map lookup)
    }
  }

  /** A dispatch timed out: the input may be running, so the Worker is busy and takes nothing else. */
  timedOut(record: WorkerRecord): void {
    this.core.setRunState(record, 'busy');
  }

  /**
   * The answer of a dispatch that timed out. Committed: the run state follows the answer (unless
   * events already moved it) and the Worker says the input was committed late. Anything else: the
   * input never ran, the Worker is idle again (unless events say otherwise) and says so.
   */
  reconcile(record: WorkerRecord, submissionId: string, versionBefore: number, late: LateOutcome<unknown>): void {
    const { core } = this;
    if (!core.isCurrent(record)) return;
    const answer = late.kind === 'ok' ? parseDispatchAnswer(late.value) : null;
    const accepted = answer?.ok && answer.value.status === 'accepted' ? answer.value : null;
    const committed = accepted !== null && accepted.submissionId === submissionId;
    if (record.runStateVersion === versionBefore) record.runState = committed ? (accepted.state ?? 'busy') : 'idle';
    this.queued.drain.lateAnswer(record, submissionId, committed);
    // Said on a connected Worker only: an unavailable or stopping one carries the more important reason.
    if (record.phase !== 'connected') return;
    record.diagnostic = committed
      ? diagnostic('input_committed_late', 'an input whose dispatch timed out was committed late; its run goes on', 'warning')
      : diagnostic('input_not_committed', 'an input whose dispatch timed out was not committed', 'info');
    core.changed(record);
  }
}

/** One dispatch: past its deadline the Worker is busy (the backend may be running it) until it answers. */
class DispatchCall extends BackendCall<unknown> {
  constructor(
    private readonly dispatcher: InputDispatch,
    record: WorkerRecord,
    private readonly submissionId: string,
    private readonly versionBefore: number,
  ) {
    super(record, 'input');
  }

  protected override timedOut(): void {
    if (this.record.runStateVersion === this.versionBefore) this.dispatcher.timedOut(this.record);
  }

  protected override settledLate(late: LateOutcome<unknown>): void {
    this.dispatcher.reconcile(this.record, this.submissionId, this.versionBefore, late);
  }
}
