import type { DecisionAnswer } from '../../domain/decision.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { ExecutionContext } from '../../ports/executionContext.js';

/** A question the fake puts to a person (the shape `ExecutionContext.ask` takes). */
export interface FakeQuestion {
  readonly title: string;
  readonly toolKind?: string;
  readonly toolCallId?: string;
  readonly options: readonly { readonly id: string; readonly name: string; readonly kind: string }[];
  readonly timeoutMs?: number;
}

/** A step of a fake run that asks, then goes on with `allowed` or `denied` (by the kind of the option chosen). */
export interface FakeAskStep {
  readonly ask: FakeQuestion;
  readonly allowed: readonly ProtocolEvent[];
  readonly denied: readonly ProtocolEvent[];
}

export type FakeRunStep = ProtocolEvent | FakeAskStep;

export function isAskStep(step: FakeRunStep): step is FakeAskStep {
  return 'ask' in step;
}

interface OpenAsk {
  readonly step: FakeAskStep;
  /** The rest of the run after the ask step. */
  readonly rest: readonly FakeRunStep[];
}

/** What became of an answer: the events to publish, then the steps the run goes on with (null: no run to go on). */
export interface AnswerOutcome {
  readonly events: ProtocolEvent[];
  readonly next: FakeRunStep[] | null;
}

/**
 * The FAKE backend's open questions for one execution. A question is asked through the context
 * (`ask`); when the Runtime refuses it (no person can be asked), the fake answers it at once by its
 * "policy" (deny). Each answer, a cancel or a stop closes it once, with a `permission_resolved` event
 * naming who decided, as a real backend would publish.
 */
export class FakeAsks {
  private readonly open = new Map<string, OpenAsk>();

  get size(): number {
    return this.open.size;
  }

  /** Asks `step`; returns the events to publish and, if the Runtime did not take the question, the steps to go on with. */
  ask(context: ExecutionContext, step: FakeAskStep, rest: readonly FakeRunStep[]): AnswerOutcome {
    const asked = context.ask?.(step.ask) ?? { ok: false as const, reason: 'unsupported' as const, message: 'no ask' };
    const request = requestEvent(step.ask, asked.ok ? asked.decisionId : null);
    if (!asked.ok) return { events: [request, resolvedEvent(step.ask, null, 'policy', null)], next: [...step.denied, ...rest] };
    this.open.set(asked.decisionId, { step, rest });
    return { events: [request], next: null };
  }

  /** The Runtime delivered an answer: null for a question that is not open here. */
  answer(answer: DecisionAnswer): AnswerOutcome | null {
    const open = this.open.get(answer.decisionId);
    if (!open) return null;
    this.open.delete(answer.decisionId);
    const { ask } = open.step;
    const option =
      answer.decidedBy === 'person'
        ? ask.options.find((o) => o.id === answer.optionId)
        : ask.options.find((o) => o.kind.startsWith('reject')); // the fallback: reject
    const allowed = option?.kind.startsWith('allow') === true;
    return {
      events: [resolvedEvent(ask, answer.decisionId, answer.decidedBy, option ?? null)],
      next: [...(allowed ? open.step.allowed : open.step.denied), ...open.rest],
    };
  }

  /** Closes every open question as `cancelled` (a cancel or a stop), telling the Runtime; returns their events. */
  cancelAll(context: ExecutionContext): ProtocolEvent[] {
    const events = [...this.open.entries()].map(([decisionId, { step }]) => {
      context.closeDecision?.(decisionId, 'cancelled');
      return resolvedEvent(step.ask, decisionId, 'cancelled', null);
    });
    this.open.clear();
    return events;
  }
}

function requestEvent(question: FakeQuestion, decisionId: string | null): ProtocolEvent {
  return {
    event: 'permission_request',
    data: {
      id: question.toolCallId ?? 'fake-question',
      ...(decisionId !== null && { decision_id: decisionId }),
      title: question.title,
      ...(question.toolKind !== undefined && { kind: question.toolKind }),
      options: question.options.map((o) => ({ id: o.id, name: o.name, kind: o.kind })),
    },
  };
}

function resolvedEvent(question: FakeQuestion, decisionId: string | null, decidedBy: string, option: FakeQuestion['options'][number] | null): ProtocolEvent {
  return {
    event: 'permission_resolved',
    data: {
      id: question.toolCallId ?? 'fake-question',
      ...(decisionId !== null && { decision_id: decisionId }),
      title: question.title,
      outcome: option ? 'selected' : 'cancelled',
      decided_by: decidedBy,
      ...(decidedBy === 'timeout' && { reason: 'decision_timeout' }),
      ...(option && { option_id: option.id, option_kind: option.kind, option_name: option.name }),
    },
  };
}
