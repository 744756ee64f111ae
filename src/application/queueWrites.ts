import type { ClockPort } from '../ports/clockPort.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * The queue store's writes. `retry` writes (marks, settlements, drops) go one at a time per Worker, in
 * the order they were asked for: a settlement never overtakes the mark before it, the next mark never
 * overtakes the settlement before it, a drop comes after them all; each is retried, backing off up to
 * 5 s, until it lands or the writer is closed (resolves false then). `once` (a new entry's append)
 * is tried once and not queued behind the others: it is the first write of its entry, and nothing
 * else is written for that entry before it landed, so appends to one Worker go out together.
 * `flush` waits for every write, bounded.
 */
export class QueueWrites {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly loose = new Set<Promise<unknown>>();
  private readonly waits = new Set<() => void>();
  private closed = false;
  failures = 0;

  constructor(private readonly clock: ClockPort) {}

  once(write: () => Promise<void>): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const attempt = (async () => {
      try {
        await write();
        return true;
      } catch {
        this.failures++;
        return false;
      }
    })();
    this.loose.add(attempt);
    void attempt.finally(() => this.loose.delete(attempt));
    return attempt;
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
    await Promise.race([Promise.allSettled([...this.chains.values(), ...this.loose]), late]);
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
