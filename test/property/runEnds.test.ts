import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunEnds } from '../../src/domain/runEnds.js';
import type { RunState } from '../../src/domain/workerState.js';

/**
 * Run ends belong to their run, as a property over any sequence of runs. A backend ends its runs in
 * one way (`run_end` is required; `status: idle` after or before it is optional), a run may fail first
 * with a run-ending `error`; the reports after a run's first (its confirmations) may arrive late,
 * after the next run started. Safety: from a run's start until its own first end report, the Worker is never
 * idle. Liveness: once a run's `run_end` arrived, the Worker is idle until the next run starts.
 */
type Report = 'run_end' | 'status' | 'error';
const STYLES: Report[][] = [['run_end'], ['run_end', 'status'], ['status', 'run_end']];

const EVENTS: Record<Report | 'start' | 'output', { event: string; data?: Record<string, unknown> }> = {
  start: { event: 'invoke_start', data: { kind: 'user_send' } },
  output: { event: 'text_delta', data: { text: 'x' } },
  run_end: { event: 'run_end', data: { result: 'finished' } },
  status: { event: 'status', data: { status: 'idle' } },
  error: { event: 'error', data: { code: 'provider_error', message: 'down' } },
};

type Step = { readonly run: number; readonly what: Report | 'start' | 'output' | 'idle_report' };

const runArb = fc.record({ failed: fc.boolean(), late: fc.boolean(), output: fc.boolean(), idleReport: fc.boolean() });
const backendArb = fc.record({ style: fc.constantFrom(...STYLES), runs: fc.array(runArb, { minLength: 1, maxLength: 8 }) });

/** The event sequence: each run's confirmations either in place or right after the next run's start. */
function steps(style: readonly Report[], runs: readonly { failed: boolean; late: boolean; output: boolean; idleReport: boolean }[]): Step[] {
  const out: Step[] = [];
  let carried: Step[] = [];
  runs.forEach((run, index) => {
    out.push({ run: index, what: 'start' }, ...carried);
    carried = [];
    if (run.output) out.push({ run: index, what: 'output' });
    const [first, ...rest] = run.failed ? ['error' as const, ...style] : style;
    out.push({ run: index, what: first! });
    const confirmations = rest.map((what) => ({ run: index, what }));
    const late = run.late && index < runs.length - 1;
    if (late) carried = confirmations;
    else out.push(...confirmations);
    // A state report while nothing runs (after a method, say), only when nothing of this run is still to come.
    if (run.idleReport && !late) out.push({ run: index, what: 'idle_report' });
  });
  return out;
}

describe('property: end-of-run reports end only their own run', () => {
  it('never idle before a run`s first end report; always idle after its run_end until the next start', () => {
    fc.assert(
      fc.property(backendArb, ({ style, runs }) => {
        const ends = new RunEnds();
        let state: RunState = 'idle';
        let current = -1; // the run in progress (its start seen)
        let ended = true; // the current run's first end report seen
        let runEndSeen = true;
        for (const step of steps(style, runs)) {
          const event = step.what === 'idle_report' ? EVENTS.status : EVENTS[step.what];
          if (step.what === 'start') {
            current = step.run;
            ended = false;
            runEndSeen = false;
          } else if (step.run === current && step.what !== 'output' && step.what !== 'idle_report') {
            ended = true;
            if (step.what === 'run_end') runEndSeen = true;
          }
          state = ends.next(event.event, event.data, state) ?? state;
          if (!ended) expect(state, `run ${current} in progress after ${step.run}:${step.what}`).not.toBe('idle');
          if (runEndSeen) expect(state, `run ${current} had its run_end (${step.run}:${step.what})`).toBe('idle');
        }
      }),
      { numRuns: 500 },
    );
  });
});
