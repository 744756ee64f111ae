import type { OperationResult } from '../domain/executionResult.js';

interface Entry {
  readonly result: Promise<OperationResult>;
  readonly expiresAt: number;
}

/**
 * Remembers the first result for an (Worker, idempotency key) pair, bounded in size and time. A
 * repeat, even one racing the first, gets the same result and dispatches nothing new.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxKeys: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  run(workerId: string, key: string | undefined, submit: () => Promise<OperationResult>): Promise<OperationResult> {
    if (key === undefined) return submit();
    const id = `${workerId}\u0000${key}`;
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > this.now()) return existing.result;
    this.entries.delete(id);
    const result = submit();
    this.entries.set(id, { result, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    return result;
  }
}
