/** How a turn ended: the agent answered the prompt, the agent was lost, or the session was stopped. */
export type TurnEnd = 'ended' | 'lost' | 'stopped';

/** One `session/prompt` in flight: its commit decision, its cancel request and its end. */
export class Turn {
  /** Resolves true once the prompt is committed (written to the agent), false if it never was. */
  readonly commit: Promise<boolean>;
  /** Resolves when the turn's closing events were published (or it ended without them). */
  readonly finished: Promise<TurnEnd>;
  committed: boolean | null = null;
  cancelRequested = false;
  private resolveCommitted!: (committed: boolean) => void;
  private resolveFinished!: (end: TurnEnd) => void;

  constructor(readonly number: number) {
    this.commit = new Promise((resolve) => (this.resolveCommitted = resolve));
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  decideCommit(committed: boolean): void {
    if (this.committed !== null) return;
    this.committed = committed;
    this.resolveCommitted(committed);
  }

  settle(end: TurnEnd): void {
    this.decideCommit(false);
    this.resolveFinished(end);
  }
}
