import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { ProcessExit, SpawnFailureReason } from '../process/supervisedProcess.js';

/**
 * Diagnostic codes of the ACP backend. Messages name what happened, never a path, an environment
 * value, a process id or the ACP session id.
 */
export const AcpDiagnosticCode = {
  optionsInvalid: 'acp_options_invalid',
  cwdUnavailable: 'agent_cwd_unavailable',
  commandNotFound: 'agent_command_not_found',
  commandNotExecutable: 'agent_command_not_executable',
  spawnFailed: 'agent_spawn_failed',
  initializeFailed: 'agent_initialize_failed',
  authRequired: 'agent_auth_required',
  sessionFailed: 'agent_session_failed',
  exited: 'agent_exited',
  protocolError: 'agent_protocol_error',
  messageTooLarge: 'agent_message_too_large',
  notReading: 'agent_not_reading',
  cancelTimeout: 'agent_cancel_timeout',
  unavailable: 'agent_unavailable',
  inputUnsupported: 'acp_input_unsupported',
  /** Also the code of the `error` event that ends an inactive turn. */
  turnInactive: 'agent_turn_inactive',
} as const;

/** The agent needs a sign-in (JSON-RPC -32000), at initialize, session/new or a prompt. */
export function authRequired(): Diagnostic {
  return diagnostic(AcpDiagnosticCode.authRequired, "the agent requires authentication: sign in with the agent's own CLI, or allow its API key variable in envAllowList");
}

export function spawnFailure(reason: SpawnFailureReason): Diagnostic {
  switch (reason) {
    case 'not_found':
      return diagnostic(AcpDiagnosticCode.commandNotFound, 'the agent command was not found');
    case 'not_executable':
      return diagnostic(AcpDiagnosticCode.commandNotExecutable, 'the agent command is not executable');
    case 'cwd_unavailable':
      return diagnostic(AcpDiagnosticCode.cwdUnavailable, 'the agent working directory does not exist');
    default:
      return diagnostic(AcpDiagnosticCode.spawnFailed, 'the agent process could not be started');
  }
}

/** "exit code 3" / "signal SIGKILL" / "still running". */
export function describeExit(exit: ProcessExit | null): string {
  if (!exit) return 'still running';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

/** JSON-RPC "authentication required" (ACP). */
export const AUTH_REQUIRED = -32000;

/** The JSON-RPC error code of an error the agent answered with, or null for any other failure. */
export function rpcErrorCode(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && Number.isInteger(code) ? code : null;
}

/** What ended a live agent, for its `error` event and the Worker's diagnostic. */
export type AgentLoss =
  | { readonly kind: 'exit' | 'eof' | 'closed' }
  | { readonly kind: 'fault'; readonly reason: 'not_json' | 'message_too_large'; readonly limit: number }
  | { readonly kind: 'not_reading' | 'auth_required' }
  | { readonly kind: 'cancel_timeout'; readonly watchdogMs: number };

export function lossDiagnostic(loss: AgentLoss, exit: ProcessExit | null): Diagnostic {
  switch (loss.kind) {
    case 'fault':
      return loss.reason === 'not_json'
        ? diagnostic(AcpDiagnosticCode.protocolError, 'the agent wrote a line that is not JSON; it was stopped')
        : diagnostic(AcpDiagnosticCode.messageTooLarge, `the agent wrote a message larger than ${loss.limit} bytes; it was stopped`);
    case 'auth_required':
      return authRequired();
    case 'not_reading':
      return diagnostic(AcpDiagnosticCode.notReading, 'the agent did not take the prompt in time; it was stopped');
    case 'cancel_timeout':
      return diagnostic(AcpDiagnosticCode.cancelTimeout, `the agent did not end the turn within ${loss.watchdogMs} ms of cancel; it was stopped`);
    default:
      return exit
        ? diagnostic(AcpDiagnosticCode.exited, `the agent exited unexpectedly (${describeExit(exit)})`)
        : diagnostic(AcpDiagnosticCode.exited, 'the agent closed its connection; it was stopped');
  }
}
