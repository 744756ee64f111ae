import type { ServiceIdentifier } from 'inversify';
import type { QueuedInput, Settlement } from '../domain/queuedInput.js';

/** One Worker's queue as stored: its entries (unordered; `order` and `interrupt` sort them) and its recent settlements. */
export interface StoredQueue {
  readonly workerId: string;
  readonly entries: readonly QueuedInput[];
  readonly settled: readonly Settlement[];
}

/**
 * Where the input queues of each Runtime live (busy policies `enqueue` and `interrupt`). The Runtime is
 * the only writer of its own queues and keeps a copy in memory; it writes each change here before it
 * acts on it: an entry is appended before the input is answered `queued`, marked `dispatching` before
 * it is handed to the backend, and removed (with its settlement recorded, in one atomic step) only
 * after its outcome is known. Writes after an entry's append go one at a time per Worker, in order;
 * appends of new entries may be in flight together. A write that fails rejects; the Runtime then
 * answers `store_unavailable` (append) or retries until it lands (the others), dispatching nothing
 * meanwhile. Reads happen once, at restore (`load`).
 *
 * `durable`: whether the queues survive the process. A durable queue is left as it is at shutdown
 * (the next start dispatches it); a queue in memory is settled `cancelled` (`runtime_stopped`).
 */
export interface InputQueuePort {
  readonly durable: boolean;
  /**
   * Every queue of this Runtime that holds entries or settlements. An entry the store holds but cannot
   * parse is never trusted: it is named in `corrupt` (the Runtime settles it `unknown`, saying so); an
   * unreadable settlement is left out. Rejects when the store is unreachable.
   */
  load(runtimeId: string): Promise<{ queues: StoredQueue[]; corrupt: { workerId: string; submissionId: string }[] }>;
  /** Stores a new entry. Rejects when the store is unreachable (nothing is stored then). */
  append(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void>;
  /** Replaces a stored entry with this one (same submission id: its state changed). */
  update(runtimeId: string, workerId: string, entry: QueuedInput): Promise<void>;
  /**
   * Atomically removes the entry and records its settlement; keeps at most `retain` settlements per
   * Worker (the oldest go first).
   */
  settle(runtimeId: string, workerId: string, settlement: Settlement, retain: number): Promise<void>;
  /** Forgets the Worker's queue and settlements (its removal, once every entry was settled). */
  drop(runtimeId: string, workerId: string): Promise<void>;
}

export const InputQueuePort: ServiceIdentifier<InputQueuePort> = Symbol.for('worker-runtime/InputQueuePort');
