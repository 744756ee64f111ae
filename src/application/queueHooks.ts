import type { WorkerRecord } from './workerRecord.js';

/** What the Runtime's shared steps tell the input queues (see `RuntimeCore.queueHooks`). */
export interface QueueHooks {
  /** A Worker changed (state, diagnostic): its queue may be drained, or can no longer run. */
  changed(record: WorkerRecord): void;
  /** A Worker is being removed: what it still queues ends `cancelled` (`worker_removed`), its queue is dropped. */
  removed(record: WorkerRecord): void;
  /** The store lost writes (Redis came back older): every queue is written again. */
  rewrite(): void;
  /** Shutdown: a queue in memory is settled `cancelled` (`runtime_stopped`); a durable one is left for the next start. */
  shutdown(): Promise<void>;
}
