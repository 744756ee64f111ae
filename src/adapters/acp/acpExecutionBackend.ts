import { inject, injectable } from 'inversify';
import type { DecisionAnswer } from '../../domain/decision.js';
import { diagnostic } from '../../domain/diagnostic.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type {
  ControlResult,
  DispatchResult,
  ExecutionBackendPort,
  ExecutionHandle,
  RestoreRequest,
  RestoreResult,
  SpawnRequest,
  SpawnResult,
} from '../../ports/executionBackendPort.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import type { AcpAgentSession } from './acpAgentSession.js';
import { startAgent, type StartOutcome } from './acpAgentStartup.js';
import { AcpDiagnosticCode } from './acpDiagnostics.js';
import { logToStderr, type ProcessLog } from '../process/processLog.js';
import { AcpBackendOptions, type AgentLogEntry } from './acpOptions.js';

const TOKEN_PREFIX = 'acp:';

/**
 * Runs each Worker as an Agent Client Protocol agent (Gemini CLI, Claude Code's ACP adapter, Codex's,
 * ...) in its own supervised subprocess, speaking ACP over its stdio. Profile options are parsed at
 * spawn (`AcpProfileOptionsSchema`). Capabilities: stop, cancel, restore (`session/load`, when the
 * agent declares `loadSession`), decide (answers to permission requests a profile with policy `ask`
 * leaves to a person); no worker-protocol methods, no snapshot.
 */
@injectable()
export class AcpExecutionBackend implements ExecutionBackendPort {
  readonly backendId: string;
  private readonly sessions = new Map<ExecutionHandle, AcpAgentSession>();
  /** Handles this backend issued and has stopped: stopping one again is done (a retry after a deadline). */
  private readonly stopped = new WeakSet<object>();
  private readonly log: ProcessLog;

  constructor(@inject(AcpBackendOptions) options: { readonly backendId: string; readonly log?: (entry: AgentLogEntry) => void }) {
    this.backendId = options.backendId;
    const sink = options.log ?? logToStderr;
    this.log = (entry) => sink({ source: 'acp', backendId: this.backendId, ...entry });
  }

  /**
   * Starts the agent, `initialize`, `session/new`. `rejected` (the Worker is `unavailable`) with
   * `acp_options_invalid`, `agent_command_not_found`, `agent_command_not_executable`,
   * `agent_cwd_unavailable`, `agent_initialize_failed`, `agent_auth_required` or `agent_session_failed`.
   */
  async spawn(request: SpawnRequest, context: ExecutionContext, signal: AbortSignal): Promise<SpawnResult> {
    return this.ready(await startAgent(request.profileOptions, context, signal, null, this.log)) as SpawnResult;
  }

  /** Reattaches by `session/load` (history published as such); `unsupported` unless the agent can load sessions. */
  async restore(request: RestoreRequest, context: ExecutionContext, signal: AbortSignal): Promise<RestoreResult> {
    const token = request.restoreToken;
    if (!token?.startsWith(TOKEN_PREFIX) || token.length === TOKEN_PREFIX.length) return { status: 'unsupported' };
    return this.ready(await startAgent(request.profileOptions, context, signal, token.slice(TOKEN_PREFIX.length), this.log));
  }

  /**
   * One `session/prompt`. `accepted` (echoing `submissionId`, state `busy`) once committed: the prompt
   * was written to the agent's stdin while it was alive. `busy` while a turn runs; `rejected` with
   * `acp_input_unsupported`, `agent_not_reading` or the reason the agent is gone.
   */
  dispatchInput(handle: ExecutionHandle, input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult> {
    const session = this.sessions.get(handle);
    if (!session) return Promise.resolve({ status: 'rejected', diagnostic: noSuchAgent() });
    return session.dispatch(input, submissionId, signal);
  }

  /** `session/cancel` and a watchdog: `done` once the turn ended, else the agent is stopped and `rejected`; `rejected` for a handle not live here. */
  async cancel(handle: ExecutionHandle, signal: AbortSignal): Promise<ControlResult> {
    const session = this.sessions.get(handle);
    return session ? session.cancel(signal) : { status: 'rejected', diagnostic: noSuchAgent() };
  }

  /**
   * Answers an open `session/request_permission` with a person's option, or with the profile's
   * `askFallback` when its deadline passed. `done` once the answer reached the agent's stdin; `rejected`
   * for a question not open (answered, cancelled) or an agent not live here.
   */
  async decide(handle: ExecutionHandle, answer: DecisionAnswer, signal: AbortSignal): Promise<ControlResult> {
    const session = this.sessions.get(handle);
    return session ? session.decide(answer, signal) : { status: 'rejected', diagnostic: noSuchAgent() };
  }

  /**
   * Ends the session and the agent's whole process tree (TERM, then KILL). `done` when nothing of it
   * runs (also for a handle already stopped); `rejected` for a handle this backend never issued.
   */
  async stop(handle: ExecutionHandle, signal: AbortSignal): Promise<ControlResult> {
    const session = this.sessions.get(handle);
    const known = typeof handle === 'object' && handle !== null;
    if (!session) return known && this.stopped.has(handle) ? { status: 'done' } : { status: 'rejected', diagnostic: noSuchAgent() };
    await session.stop(signal);
    this.sessions.delete(handle);
    if (known) this.stopped.add(handle);
    return { status: 'done' };
  }

  /** Stops every agent still running (Runtime shutdown). */
  async dispose(signal: AbortSignal): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((session) => session.stop(signal)));
  }

  /** Process ids of the agents this backend runs (host-side supervision and tests; never for a browser). */
  agentPids(): number[] {
    return [...this.sessions.values()].map((session) => session.process.pid);
  }

  private ready(outcome: StartOutcome): RestoreResult {
    if (outcome.status !== 'ready') return outcome;
    const handle = Object.freeze({ backend: this.backendId });
    this.sessions.set(handle, outcome.session);
    const sessionId = outcome.session.sessionId!;
    return { status: 'ready', handle, state: 'idle', restoreToken: `${TOKEN_PREFIX}${sessionId}` };
  }
}

function noSuchAgent() {
  return diagnostic(AcpDiagnosticCode.unavailable, 'no such agent on this backend');
}
