import type { PromptResponse } from '@agentclientprotocol/sdk';

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
  /** The `session/prompt` request's answer. */
  answer: Promise<PromptResponse> | null = null;
  /** The step that handles the answer is queued (at the answer's place among the updates). */
  answerQueued = false;
  private resolveCommitted!: (committed: boolean) => void;
  private resolveFinished!: (end: TurnEnd) => void;
  private inactivity: NodeJS.Timeout | null = null;
  private lastTouch = 0;

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
    this.stopWatching();
    this.resolveFinished(end);
  }

  /** Calls `onInactive` once no `touch` came for `ms` (0: never). */
  watchInactivity(ms: number, onInactive: () => void): void {
    if (ms <= 0) return;
    this.lastTouch = Date.now();
    const check = () => {
      // Re-armed for the rest instead of reset on every touch: a touch per update stays one store.
      const quiet = Date.now() - this.lastTouch;
      if (quiet < ms) {
        this.inactivity = setTimeout(check, ms - quiet);
        this.inactivity.unref();
        return;
      }
      this.inactivity = null;
      onInactive();
    };
    this.inactivity = setTimeout(check, ms);
    this.inactivity.unref();
  }

  /** The agent said something about this turn. */
  touch(): void {
    this.lastTouch = Date.now();
  }

  stopWatching(): void {
    if (this.inactivity) clearTimeout(this.inactivity);
    this.inactivity = null;
  }
}
