import type { ClockPort } from '../ports/clockPort.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * The queue store's writes, one at a time per Worker, in the order they were asked for: a mark never
 * overtakes the append it follows, a settlement never overtakes the mark. `once` tries a write once
 * (its caller answers the failure); `retry` retries it, backing off up to 5 s, until it lands or the
 * writer is closed (resolves false then). `flush` waits for every write, bounded.
 */
export class QueueWrites {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly waits = new Set<() => void>();
  private closed = false;
  failures = 0;

  constructor(private readonly clock: ClockPort) {}

  once(workerId: string, write: () => Promise<void>): Promise<boolean> {
    return this.chain(workerId, async () => {
      if (this.closed) return false;
      try {
        await write();
        return true;
      } catch {
        this.failures++;
        return false;
      }
    });
  }

  retry(workerId: string, write: () => Promise<void>): Promise<boolean> {
    return this.chain(workerId, async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          await write();
          return true;
        } catch {
          this.failures++;
          await this.pause(Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS));
        }
      }
      return false;
    });
  }

  /** Resolves once every write asked for so far settled, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    let cancel = (): void => undefined;
    const late = new Promise<void>((resolve) => (cancel = this.clock.setTimer(timeoutMs, resolve)));
    await Promise.race([Promise.allSettled([...this.chains.values()]), late]);
    cancel();
  }

  /** Stops retrying: writes that have not landed are given up (a durable store keeps what it had). */
  close(): void {
    this.closed = true;
    for (const wake of [...this.waits]) wake();
  }

  private chain<T>(workerId: string, step: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(workerId) ?? Promise.resolve();
    const next = previous.then(step, step);
    this.chains.set(workerId, next);
    void next.finally(() => {
      if (this.chains.get(workerId) === next) this.chains.delete(workerId);
    });
    return next;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        cancel();
        this.waits.delete(wake);
        resolve();
      };
      const cancel = this.clock.setTimer(ms, wake);
      this.waits.add(wake);
    });
  }
}
