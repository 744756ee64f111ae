import { z } from 'zod';
import {
  DecisionQuestionSchema,
  MAX_OPEN_DECISIONS,
  safeId,
  safeKind,
  shownOptions,
  type DecidedBy,
  type DecisionAnswer,
  type DecisionQuestion,
} from '../domain/decision.js';
import { diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import type { AskResult } from '../ports/executionContext.js';
import { controlOutcome } from './backendOutcome.js';
import type { OpenDecision } from './decisionBook.js';
import { withDeadline } from './deadline.js';
import type { GuardedContext } from './guardedContext.js';
import { notFound, parseArgument } from './operationResults.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { WorkerRecord } from './workerRecord.js';

const DecideArgumentsSchema = z.strictObject({ decisionId: z.string().min(1).max(256), optionId: z.string().min(1).max(256) });

const ANSWERED_BY: Readonly<Record<DecidedBy, string>> = {
  person: 'by a person',
  policy: 'by the profile\'s policy',
  timeout: 'by its deadline: decision_timeout',
  cancelled: 'cancelled',
};

/** Said of a Worker that came back after a restart while a question of it was open: nobody can answer it any more. */
export const DECISION_LOST = 'decision_lost';

/**
 * The person-in-the-loop use cases. A backend asks through its context (`ask`); the question is
 * parsed and sanitised here, listed on the Worker's projection (state `requires_action`) and given a
 * deadline. It ends exactly once: `decide` delivers a person's option, the deadline delivers
 * `timeout` (the backend answers with its fallback), or the backend closes it (cancel, stop). An
 * answer on its way blocks every other one, so the agent never gets two.
 */
export class WorkerDecisions {
  constructor(private readonly core: RuntimeCore) {}

  ask(record: WorkerRecord, context: GuardedContext, raw: unknown): AskResult {
    const { core } = this;
    if (context.revoked || !core.isCurrent(record)) return { ok: false, reason: 'revoked', message: 'execution context revoked' };
    if (record.phase !== 'connected' || !core.running) return { ok: false, reason: 'not_connected', message: `the Worker is ${record.state}` };
    if (!record.backend?.decide) return { ok: false, reason: 'unsupported', message: 'the backend cannot receive an answer (no decide)' };
    const question = parseQuestion(raw);
    if (!question.ok) return { ok: false, reason: 'invalid_question', message: question.message };
    if (record.decisions.size >= MAX_OPEN_DECISIONS) return { ok: false, reason: 'too_many', message: `${MAX_OPEN_DECISIONS} questions are open already` };
    const id = core.ports.ids.submissionId();
    const now = core.ports.clock.now();
    const timeoutMs = question.value.timeoutMs ?? core.options.deadlines.askMs;
    const options = shownOptions(question.value);
    const toolCallId = question.value.toolCallId == null ? null : safeId(question.value.toolCallId);
    record.decisions.add({
      shown: {
        id,
        title: sanitizeText(question.value.title, 512) || 'The agent asks for permission',
        toolKind: safeKind(question.value.toolKind),
        toolCallId,
        options: options.map((o) => o.shown),
        requestedAt: now,
        expiresAt: now + timeoutMs,
      },
      backendOptionIds: new Map(options.map((o) => [o.shown.id, o.backendId])),
      answering: false,
      cancelTimer: core.ports.clock.setTimer(timeoutMs, () => this.expire(record, id)),
    });
    core.changed(record);
    return { ok: true, decisionId: id };
  }

  closeByBackend(record: WorkerRecord, decisionId: string, by: Exclude<DecidedBy, 'person'>): void {
    const open = record.decisions.get(decisionId);
    if (!open) return;
    const waited = !open.answering;
    record.decisions.close(decisionId, by);
    if (waited) this.core.changed(record);
  }

  /**
   * Answers one open question with one of its options. `accepted` (`decided`) once the backend
   * delivered it; `rejected` for an unknown or already answered question (`decision_not_found`,
   * `decision_answered`, also while another answer is on its way) or an option it did not offer;
   * `unsupported` for a backend that cannot ask; `errored` (`decide_timeout`) past the deadline.
   */
  async decide(workerId: string, decisionId: unknown, optionId: unknown): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    const args = parseArgument(DecideArgumentsSchema, { decisionId, optionId }, 'decide', record?.state ?? null);
    if (!args.ok) return args.result;
    if (!record) return notFound('decide');
    if (record.backend && !record.backend.decide) return operationResult('decide', 'operation_unsupported', record.state);
    const open = record.decisions.get(args.data.decisionId);
    if (open?.answering) return operationResult('decide', 'decision_answered', record.state, { message: 'an answer to this decision is being delivered' });
    if (!open) {
      const by = record.decisions.closedBy(args.data.decisionId);
      if (by) return operationResult('decide', 'decision_answered', record.state, { message: `this decision was already answered (${ANSWERED_BY[by]})` });
      return core.refuseUnlessConnected('decide', record) ?? operationResult('decide', 'decision_not_found', record.state, { message: 'no such decision' });
    }
    const backendOption = open.backendOptionIds.get(args.data.optionId);
    if (backendOption === undefined) {
      return operationResult('decide', 'option_not_offered', record.state, { message: `offered: ${[...open.backendOptionIds.keys()].join(', ')}`.slice(0, 512) });
    }
    const refusal = core.refuseUnlessConnected('decide', record);
    if (refusal) return refusal;
    return core.track(this.deliver(record, open, { decisionId: open.shown.id, decidedBy: 'person', optionId: backendOption }));
  }

  /** The question's deadline passed with nobody answering: the backend answers it with its fallback. */
  private expire(record: WorkerRecord, decisionId: string): void {
    const open = record.decisions.get(decisionId);
    if (!open || open.answering || !this.core.isCurrent(record) || !record.hasHandle) return;
    void this.core.track(this.deliver(record, open, { decisionId, decidedBy: 'timeout' }));
  }

  /** Delivers one answer. Marked first, synchronously: a racing second answer finds it taken. */
  private async deliver(record: WorkerRecord, open: OpenDecision, answer: DecisionAnswer): Promise<OperationResult> {
    const { core } = this;
    const backend = record.backend!;
    record.decisions.markAnswering(open);
    core.changed(record);
    const finish = () => void record.decisions.close(open.shown.id, answer.decidedBy);
    const settled = await withDeadline(core.ports.clock, core.options.deadlines.decideMs, (signal) => backend.decide!(record.handle, answer, signal), undefined, undefined, {
      // A deadline is not an answer: the question stays taken until the backend's call settles.
      onLateSettle: finish,
    });
    if (settled.kind !== 'timeout') finish();
    return controlOutcome('decide', settled, record.state, 'decided', 'decide_timeout');
  }
}

function parseQuestion(raw: unknown): { ok: true; value: DecisionQuestion } | { ok: false; message: string } {
  try {
    const parsed = DecisionQuestionSchema.safeParse(raw);
    if (parsed.success) return { ok: true, value: parsed.data };
    const path = parsed.error.issues[0]?.path.filter((p) => typeof p === 'string' || typeof p === 'number').join('.');
    return { ok: false, message: `the question is malformed${path ? ` (${path})` : ''}` };
  } catch {
    return { ok: false, message: 'the question could not be read' };
  }
}

/**
 * A Worker restored after a restart whose catalog entry said a question was open: that question is
 * gone with the old execution, and the Worker says so (a connected one with `decision_lost`, an
 * unavailable one in its diagnostic's message), so nobody waits for it.
 */
export function sayDecisionLost(core: RuntimeCore, record: WorkerRecord): void {
  if (!core.isCurrent(record)) return;
  const lost = 'a decision was waiting for a person when the Runtime stopped; it is no longer open';
  if (record.phase === 'connected') record.diagnostic = diagnostic(DECISION_LOST, `${lost}, and the run it belonged to did not go on`, 'warning');
  else if (record.diagnostic) record.diagnostic = { ...record.diagnostic, message: `${record.diagnostic.message} (${lost})`.slice(0, 1024) };
  else return;
  core.changed(record);
}
