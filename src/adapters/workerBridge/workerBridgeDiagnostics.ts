import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { ProcessExit, SpawnFailureReason } from '../process/supervisedProcess.js';

/**
 * Diagnostic codes of the worker bridge. Messages say what happened, never a socket path, a runtime
 * directory, a process id or an environment value.
 */
export const WorkerBridgeDiagnosticCode = {
  optionsInvalid: 'worker_bridge_options_invalid',
  cwdUnavailable: 'worker_cwd_unavailable',
  commandNotFound: 'worker_command_not_found',
  commandNotExecutable: 'worker_command_not_executable',
  spawnFailed: 'worker_spawn_failed',
  runtimeDirFailed: 'worker_runtime_dir_failed',
  startTimeout: 'worker_start_timeout',
  startAbandoned: 'worker_start_abandoned',
  exited: 'worker_exited',
  connectRefused: 'worker_connect_refused',
  connectTimeout: 'worker_connect_timeout',
  snapshotTimeout: 'worker_snapshot_timeout',
  disconnected: 'worker_disconnected',
  reconnectFailed: 'worker_reconnect_failed',
  ackTimeout: 'worker_ack_timeout',
  inputRefused: 'worker_input_refused',
  cancelTimeout: 'worker_cancel_timeout',
  unavailable: 'worker_unavailable',
  ackAbandoned: 'worker_ack_abandoned',
  methodRefused: 'worker_method_refused',
  methodTimeout: 'worker_method_timeout',
  busy: 'worker_busy',
} as const;

const Code = WorkerBridgeDiagnosticCode;

export function spawnFailure(reason: SpawnFailureReason): Diagnostic {
  switch (reason) {
    case 'not_found':
      return diagnostic(Code.commandNotFound, 'the worker command was not found');
    case 'not_executable':
      return diagnostic(Code.commandNotExecutable, 'the worker command is not executable');
    case 'cwd_unavailable':
      return diagnostic(Code.cwdUnavailable, 'the worker working directory does not exist');
    default:
      return diagnostic(Code.spawnFailed, 'the worker process could not be started');
  }
}

/** "exit code 3" / "signal SIGKILL" / "still running". */
export function describeExit(exit: ProcessExit | null): string {
  if (!exit) return 'still running';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

export function exitedDiagnostic(exit: ProcessExit | null, during: 'start' | 'run'): Diagnostic {
  const when = during === 'start' ? 'before it accepted connections' : 'unexpectedly';
  return diagnostic(Code.exited, `the worker exited ${when} (${describeExit(exit)})`);
}

/** Why one connection attempt failed; carries no path. */
export type ConnectFailure = 'refused' | 'missing' | 'timeout' | 'aborted' | 'failed';

export function connectDiagnostic(failure: ConnectFailure, timeoutMs: number): Diagnostic {
  switch (failure) {
    case 'refused':
      return diagnostic(Code.connectRefused, 'the worker socket refused the connection');
    case 'missing':
      return diagnostic(Code.connectRefused, 'no worker is listening on the configured socket');
    case 'timeout':
      return diagnostic(Code.connectTimeout, `the worker socket did not accept a connection within ${timeoutMs} ms`);
    case 'aborted':
      return diagnostic(Code.startAbandoned, 'the start was abandoned (deadline)');
    default:
      return diagnostic(Code.connectRefused, 'the worker socket could not be connected');
  }
}

export const Diagnostics = {
  disconnected: (): Diagnostic => diagnostic(Code.disconnected, 'the connection to the worker was lost; reconnecting'),
  reconnectFailed: (attempts: number): Diagnostic =>
    diagnostic(Code.reconnectFailed, `the worker could not be reconnected after ${attempts} attempt(s)`),
  snapshotTimeout: (ms: number): Diagnostic => diagnostic(Code.snapshotTimeout, `the worker sent no snapshot within ${ms} ms of connecting`),
  startTimeout: (ms: number): Diagnostic => diagnostic(Code.startTimeout, `the worker did not accept connections within ${ms} ms`),
  startAbandoned: (): Diagnostic => diagnostic(Code.startAbandoned, 'the start was abandoned (deadline)'),
  unavailable: (): Diagnostic => diagnostic(Code.unavailable, 'the worker is not connected'),
  ackTimeout: (ms: number): Diagnostic =>
    diagnostic(Code.ackTimeout, `the worker did not commit the input within ${ms} ms (no user_message); it may still run it`),
  inputRefused: (code: string): Diagnostic => diagnostic(Code.inputRefused, `the worker refused the input (${code})`),
  ackAbandoned: (what: 'input' | 'method'): Diagnostic =>
    diagnostic(Code.ackAbandoned, `the Runtime's deadline ended the wait before the worker answered the ${what}; it may still act on it`),
  methodRefused: (method: string, code: string): Diagnostic => diagnostic(Code.methodRefused, `the worker refused ${method} (${code})`),
  methodTimeout: (method: string, ms: number): Diagnostic => diagnostic(Code.methodTimeout, `the worker did not answer ${method} within ${ms} ms`),
  busy: (): Diagnostic => diagnostic(Code.busy, 'another request to the worker is waiting for its answer'),
  noSuchWorker: (): Diagnostic => diagnostic(Code.unavailable, 'no such worker on this backend'),
  cancelTimeout: (ms: number, stopped: boolean): Diagnostic =>
    diagnostic(Code.cancelTimeout, `the worker did not end the run within ${ms} ms of cancel${stopped ? '; it was stopped' : ''}`),
  runtimeDirFailed: (why: string): Diagnostic => diagnostic(Code.runtimeDirFailed, `the worker runtime directory could not be prepared (${why})`),
};
