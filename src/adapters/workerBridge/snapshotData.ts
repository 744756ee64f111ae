import { withoutHostPaths } from '../../domain/browserFrame.js';
import type { RunState } from '../../domain/workerState.js';

/** The run state a snapshot's `status` stands for: `running` is busy, `paused` paused, anything else idle. */
export function runStateOfSnapshot(data: Readonly<Record<string, unknown>> | undefined): RunState {
  const status = data?.status;
  return status === 'running' ? 'busy' : status === 'paused' ? 'paused' : 'idle';
}

/** Snapshot data without the `cwd` (a host path) of any greeting in it, nested ones too, as the bridge hands it out. */
export function withoutCwd(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...(withoutHostPaths(data) as Record<string, unknown>) };
}
