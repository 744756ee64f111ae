import { hash } from 'node:crypto';
import type { OperationResult } from '../domain/executionResult.js';

interface Entry {
  readonly fingerprint: string;
  readonly result: Promise<OperationResult>;
  readonly expiresAt: number;
}

/** What a keyed submission came to: its result, or a refusal because the key was used for another input. */
export type IdempotentOutcome = { readonly conflict: false; readonly result: OperationResult } | { readonly conflict: true };

/**
 * Remembers, per (Worker, idempotency key), the result of an input that committed (`accepted`) or
 * was queued (`queued`), bounded in size and time. A repeat with the same input, even one racing the
 * first, gets the same result and dispatches (or queues) nothing new; a repeat with another input is
 * a conflict. A result that committed nothing (busy, rejected, errored) is forgotten once it settles,
 * so a retry is a new try. (The Runtime also remembers the keys of queued inputs, with the queue: a
 * repeat after a restart of a host on Redis still finds its queued input.)
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxKeys: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async run(workerId: string, key: string, input: unknown, submit: () => Promise<OperationResult>): Promise<IdempotentOutcome> {
    const id = `${workerId}\u0000${key}`;
    const fingerprint = hash('sha256', JSON.stringify(input), 'base64');
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > this.now()) {
      if (existing.fingerprint !== fingerprint) return { conflict: true };
      return { conflict: false, result: await existing.result };
    }
    this.entries.delete(id);
    const result = submit();
    const entry: Entry = { fingerprint, result, expiresAt: this.now() + this.ttlMs };
    this.entries.set(id, entry);
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    const settled = await result.catch((error: unknown) => {
      this.forget(id, entry);
      throw error;
    });
    if (settled.outcome !== 'accepted' && settled.outcome !== 'queued') this.forget(id, entry);
    return { conflict: false, result: settled };
  }

  private forget(id: string, entry: Entry): void {
    if (this.entries.get(id) === entry) this.entries.delete(id);
  }
}
