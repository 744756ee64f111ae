import type { AcpUpdate } from './acpContent.js';

/** Updates held at most before `session/new` answers (an agent announcing commands or modes early). */
const MAX_EARLY = 256;

/**
 * `session/update`s that arrive before `session/new` has answered: the session's id is not known yet,
 * so none can be taken as this Worker's. They are held (bounded) until the id is known; then the ones
 * for that session are released in arrival order and the rest dropped.
 */
export class EarlyUpdates {
  private held: { sessionId: unknown; update: AcpUpdate }[] | null = [];

  hold(sessionId: unknown, update: AcpUpdate): void {
    if (this.held && this.held.length < MAX_EARLY) this.held.push({ sessionId, update });
  }

  /** The held updates of `sessionId`, in arrival order; nothing is held after this. */
  release(sessionId: string): AcpUpdate[] {
    const mine = (this.held ?? []).filter((entry) => entry.sessionId === sessionId).map((entry) => entry.update);
    this.held = null;
    return mine;
  }
}
