import { z } from 'zod';

/**
 * One lifecycle state machine for a Worker.
 * - `starting`: reserved, spawn in flight (no execution connection yet).
 * - `idle` / `busy` / `paused`: connected; the run state follows the backend.
 * - `requires_action`: connected, and the backend asked a person something (a permission decision)
 *   that nobody has answered yet; derived from the Worker's open decisions, never reported by a backend.
 * - `stopping`: a stop is in flight.
 * - `stopped`: stopped on request; terminal until removed.
 * - `unavailable`: no live execution connection (spawn rejected or failed, no backend, connection lost);
 *   carries a diagnostic.
 * - `errored`: the execution is in an unknown condition (stop failed or timed out); carries a diagnostic.
 */
export const WorkerStateSchema = z.enum(['starting', 'idle', 'busy', 'paused', 'requires_action', 'stopping', 'stopped', 'unavailable', 'errored']);
export type WorkerState = z.infer<typeof WorkerStateSchema>;

/** States in which a live execution connection exists. */
const CONNECTED: ReadonlySet<WorkerState> = new Set(['idle', 'busy', 'paused', 'requires_action', 'stopping']);

export function isConnected(state: WorkerState): boolean {
  return CONNECTED.has(state);
}

/** States that carry a diagnostic explaining why nothing executes. */
export function needsDiagnostic(state: WorkerState): boolean {
  return state === 'unavailable' || state === 'errored';
}

/** The run states a backend may report through spawn and dispatch results. */
export const RunStateSchema = z.enum(['idle', 'busy', 'paused']);
export type RunState = z.infer<typeof RunStateSchema>;

/** `error` codes after which the worker protocol has no run in progress. */
const RUN_ENDING_ERRORS: ReadonlySet<string> = new Set(['provider_error', 'internal', 'not_running']);

/**
 * The run state an observed protocol event moves a connected Worker to, or null for no change.
 * `status` is authoritative; `invoke_start` and `turn_start` begin a run; `run_end` and run-ending
 * `error` codes end it.
 */
export function runStateAfterEvent(event: string, data: Readonly<Record<string, unknown>> | undefined): RunState | null {
  switch (event) {
    case 'status': {
      const status = data?.status;
      return status === 'running' ? 'busy' : status === 'paused' ? 'paused' : status === 'idle' ? 'idle' : null;
    }
    case 'invoke_start':
    case 'turn_start':
      return 'busy';
    case 'run_end':
      return 'idle';
    case 'error':
      return typeof data?.code === 'string' && RUN_ENDING_ERRORS.has(data.code) ? 'idle' : null;
    default:
      return null;
  }
}
