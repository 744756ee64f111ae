import type { WorkerRuntime } from '../application/workerRuntime.js';
import type { WorkerState } from '../domain/workerState.js';
import { delay } from './frames.js';

/** Where an adapter author reads what a backend must publish (shipped with the package). */
export const PROTOCOL_DOC = 'docs/protocol.md in the worker-runtime package';

const HINTS: Partial<Record<WorkerState, string>> = {
  idle:
    'A run ends when the backend publishes `run_end` (and then `status { status: "idle" }`) through the ExecutionContext it got at spawn; ' +
    'the minimal run for an accepted input is `user_message`, your output events, `run_end`.',
  busy: 'A long input must keep its run going (no `run_end`) until it is cancelled or stopped; `invoke_start` or `turn_start` marks the Worker busy.',
  starting: 'The suite holds spawn at a gate here; a Worker leaves `starting` only when spawn answers.',
  stopping: 'The suite holds stop at a gate here; a Worker leaves `stopping` only when stop answers.',
};

/**
 * Waits until the Worker is in `state`; otherwise fails with a message naming the state it is in,
 * what it waited for and what a backend must do to get there.
 */
export async function untilState(runtime: WorkerRuntime, workerId: string, state: WorkerState, timeoutMs: number, after: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const worker = runtime.get(workerId);
    if (worker?.state === state) return;
    if (Date.now() >= deadline) {
      const now = worker ? `${worker.state}${worker.diagnostic ? ` (${worker.diagnostic.code}: ${worker.diagnostic.message})` : ''}` : 'gone';
      throw new Error(
        `expected Worker ${workerId} to be ${state} within ${timeoutMs} ms ${after}, but it is ${now}. ${HINTS[state] ?? ''} See ${PROTOCOL_DOC}.`,
      );
    }
    await delay(5);
  }
}
