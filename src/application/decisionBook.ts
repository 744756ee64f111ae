import type { DecidedBy, PendingDecision } from '../domain/decision.js';

/** One question a Worker's backend asked and nobody has finished answering. */
export interface OpenDecision {
  readonly shown: PendingDecision;
  /** The id the browser answers with, to the backend's own option id. */
  readonly backendOptionIds: ReadonlyMap<string, string>;
  /** An answer is on its way to the backend: no second one goes out, and a person is not asked any more. */
  answering: boolean;
  readonly cancelTimer: () => void;
}

/** Closed decisions remembered per Worker, so a late answer is told "already answered", not "unknown". */
const REMEMBERED = 256;
const NONE: readonly PendingDecision[] = Object.freeze([]);

/**
 * A Worker's open decisions, and who closed the recent ones. Every question is closed exactly once:
 * `close` answers false for one that is not open, and cancels its deadline.
 */
export class DecisionBook {
  private readonly open = new Map<string, OpenDecision>();
  private readonly closed = new Map<string, DecidedBy>();
  private awaiting = 0;

  /** Some question waits for a person (the Worker is `requires_action`). */
  get awaitingPerson(): boolean {
    return this.awaiting > 0;
  }

  get size(): number {
    return this.open.size;
  }

  /** The questions waiting for a person, browser-safe, oldest first. */
  get pending(): readonly PendingDecision[] {
    if (this.awaiting === 0) return NONE;
    return [...this.open.values()].filter((d) => !d.answering).map((d) => d.shown);
  }

  add(decision: OpenDecision): void {
    this.open.set(decision.shown.id, decision);
    if (!decision.answering) this.awaiting++;
  }

  get(decisionId: string): OpenDecision | undefined {
    return this.open.get(decisionId);
  }

  closedBy(decisionId: string): DecidedBy | undefined {
    return this.closed.get(decisionId);
  }

  /** An answer is being delivered: the question no longer waits for a person. */
  markAnswering(decision: OpenDecision): void {
    if (decision.answering) return;
    decision.answering = true;
    decision.cancelTimer();
    this.awaiting--;
  }

  close(decisionId: string, by: DecidedBy): boolean {
    const decision = this.open.get(decisionId);
    if (!decision) return false;
    this.open.delete(decisionId);
    decision.cancelTimer();
    if (!decision.answering) this.awaiting--;
    this.closed.set(decisionId, by);
    if (this.closed.size > REMEMBERED) this.closed.delete(this.closed.keys().next().value!);
    return true;
  }

  /** Closes every open question (the execution is gone or released); true if one was waiting for a person. */
  closeAll(by: DecidedBy = 'cancelled'): boolean {
    const waited = this.awaiting > 0;
    for (const id of [...this.open.keys()]) this.close(id, by);
    return waited;
  }
}
