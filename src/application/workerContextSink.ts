import type { DecidedBy } from '../domain/decision.js';
import { diagnostic, type Diagnostic } from '../domain/diagnostic.js';
import type { ProtocolEvent } from '../domain/protocolEvent.js';
import { sanitizeText } from '../domain/sanitizeText.js';
import type { RunState } from '../domain/workerState.js';
import type { AskResult, ExecutionContext, PublishOptions, PublishResult } from '../ports/executionContext.js';
import type { ObservationPublisherPort } from '../ports/observationPublisherPort.js';
import type { ContextSink, GuardedContext } from './guardedContext.js';
import type { WorkerRecord } from './workerRecord.js';

/** What a sink needs of the Runtime's core (the core itself). */
export interface SinkHost {
  readonly running: boolean;
  readonly ports: { readonly publisher: ObservationPublisherPort };
  contextFor(record: WorkerRecord): GuardedContext;
  setRunState(record: WorkerRecord, state: RunState): void;
  makeUnavailable(record: WorkerRecord, why: Diagnostic): void;
  changed(record: WorkerRecord): void;
  readonly decisions: DecisionAsks;
}

/** Where a context's questions go (the decisions use case). */
export interface DecisionAsks {
  ask(record: WorkerRecord, context: GuardedContext, question: unknown): AskResult;
  closeByBackend(record: WorkerRecord, decisionId: string, decidedBy: Exclude<DecidedBy, 'person'>): void;
}

/** Until the decisions use case is wired: no person can be asked. */
export const NO_DECISIONS: DecisionAsks = {
  ask: () => ({ ok: false, reason: 'unsupported', message: 'no person can be asked here' }),
  closeByBackend: () => undefined,
};

/**
 * Where one Worker's context reports to. Every report is checked against the Runtime's own record:
 * only the Worker's current context counts, and only in the phase the report makes sense in.
 */
export class WorkerContextSink implements ContextSink {
  context: GuardedContext | null = null;

  constructor(
    private readonly core: SinkHost,
    private readonly record: WorkerRecord,
  ) {}

  publish(event: ProtocolEvent, options: PublishOptions, bytes?: number): Promise<PublishResult> {
    const { record, core } = this;
    if (!options.history) {
      const next = record.runEnds.next(event.event, event.data, record.runState);
      if (next) {
        record.runStateVersion++;
        core.setRunState(record, next);
      }
    }
    const { publisher } = core.ports;
    try {
      if (publisher.publishNow !== undefined) return Promise.resolve(publisher.publishNow(record.ref, event, options, bytes));
      return publisher.publish(record.ref, event, options, bytes).catch(busError);
    } catch (error) {
      return Promise.resolve(busError(error));
    }
  }

  /** Taken only from the current context of a connected Worker (before commit, answer the spawn instead). */
  lost(why: Diagnostic, again: boolean): boolean {
    const { record } = this;
    if (record.context !== this.context || record.phase !== (again ? 'unavailable' : 'connected')) return false;
    this.core.makeUnavailable(record, why);
    return true;
  }

  restored(state: RunState): ExecutionContext | undefined {
    const { record, core } = this;
    if (record.context !== this.context || record.phase !== 'unavailable' || !record.hasHandle || !core.running) return undefined;
    const next = core.contextFor(record);
    record.context = next;
    this.context?.revoke();
    record.phase = 'connected';
    record.diagnostic = null;
    record.runState = state;
    record.runEnds.reset(); // the backend states the run state: nothing before the loss is owed
    record.runStateVersion++; // the restored state wins over a slower answer from before the loss
    core.changed(record);
    return next;
  }

  ask(question: unknown): AskResult {
    const { record, context } = this;
    if (!context || record.context !== context) return { ok: false, reason: 'revoked', message: 'not the Worker\'s current context' };
    return this.core.decisions.ask(record, context, question);
  }

  closeDecision(decisionId: string, decidedBy: Exclude<DecidedBy, 'person'>): void {
    if (this.record.context === this.context) this.core.decisions.closeByBackend(this.record, decisionId, decidedBy);
  }

  malformedRestore(): void {
    const { record } = this;
    if (record.context !== this.context || record.phase !== 'unavailable') return;
    this.core.makeUnavailable(record, diagnostic('backend_protocol_error', 'the backend reported a restore in a state that is not a run state'));
  }
}

function busError(error: unknown): PublishResult {
  let message = 'observation bus failed';
  try {
    const text = error instanceof Error ? error.message : error;
    if (typeof text === 'string') message = sanitizeText(text.slice(0, 4096), 256);
  } catch {
    // an unreadable error keeps the generic message
  }
  return { ok: false, reason: 'bus_error', message };
}
