import { runStateAfterEvent, type RunState } from './workerState.js';

/** The two reports that end a run and that a run makes at most once each. */
type EndReport = 'run_end' | 'status_idle';

/**
 * Ties end-of-run reports to their run, so a late report of the run before never ends the current
 * one. The case it exists for: a backend publishes `run_end` (the Worker is idle), the next input is
 * dispatched and its run starts, and only then the first run's `status: idle` arrives.
 *
 * The rule: **a run ends once.** The first end report while a run is in progress (`run_end`,
 * `status: idle` or a run-ending `error`) ends it; the end report it has not made yet (`status: idle`
 * after `run_end`, `run_end` after `status: idle` or an `error`) is owed as its confirmation and, when
 * it arrives, whenever it arrives, ends nothing else. A report while no run is in progress (the Worker
 * is idle) is a state report: it owes nothing. Every other event moves the run state as
 * `runStateAfterEvent` says. `reset` when the backend states the run state itself (spawn, restore,
 * reconnect): nothing from before is owed then.
 */
export class RunEnds {
  private readonly owed = new Set<EndReport>();

  reset(): void {
    this.owed.clear();
  }

  /** The run state an observed event moves a Worker in run state `current` to, or null for no change. */
  next(event: string, data: Readonly<Record<string, unknown>> | undefined, current: RunState): RunState | null {
    const state = runStateAfterEvent(event, data);
    if (state !== 'idle') return state;
    const report: EndReport | null = event === 'run_end' ? 'run_end' : event === 'status' ? 'status_idle' : null;
    if (report !== null && this.owed.delete(report)) return null; // the previous run's confirmation
    if (current === 'idle') return state;
    this.owed.clear();
    if (report !== 'run_end') this.owed.add('run_end');
    if (report !== 'status_idle') this.owed.add('status_idle');
    return state;
  }
}
