import type { RunState } from '../../domain/workerState.js';

/** The run state a snapshot's `status` stands for: `running` is busy, `paused` paused, anything else idle. */
export function runStateOfSnapshot(data: Readonly<Record<string, unknown>> | undefined): RunState {
  const status = data?.status;
  return status === 'running' ? 'busy' : status === 'paused' ? 'paused' : 'idle';
}

/** Snapshot data without the greeting's `cwd` (a host path), as the bridge hands it out. */
export function withoutCwd(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const greeting = data.greeting;
  if (!greeting || typeof greeting !== 'object' || Array.isArray(greeting)) return { ...data };
  const { cwd: _cwd, ...rest } = greeting as Record<string, unknown>;
  return { ...data, greeting: rest };
}
