import { methods, type AnyMessage, type ClientConnection } from '@agentclientprotocol/sdk';
import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { DecisionAnswer } from '../../domain/decision.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type { ControlResult, DispatchResult } from '../../ports/executionBackendPort.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import { logProcessEnd, type ProcessLog } from '../process/processLog.js';
import type { SupervisedProcess } from '../process/supervisedProcess.js';
import { within } from '../process/within.js';
import { connectClient } from './acpClientApp.js';
import type { AcpUpdate } from './acpContent.js';
import { AcpDiagnosticCode, lossDiagnostic, type AgentLoss } from './acpDiagnostics.js';
import { EarlyUpdates } from './acpEarlyUpdates.js';
import { AcpFileSystem } from './acpFileSystem.js';
import type { AcpProfileOptions } from './acpOptions.js';
import { AcpPermissionDesk } from './acpPermissionDesk.js';
import { PermissionRequestSchema } from './acpPermissions.js';
import { AcpSessionEvents } from './acpSessionEvents.js';
import { AcpTerminals } from './acpTerminals.js';
import { AcpTurns, DRAIN_MS, type TurnHost } from './acpTurns.js';
import { AcpWire } from './acpWire.js';

/** After the agent's output ends, how long to wait for its exit status (for the diagnostic). */
const EXIT_WAIT_MS = 300;
/** After the agent exited, how long its last stderr may take to arrive (for the operator's log). */
const STDERR_WAIT_MS = 500;

/**
 * One Worker's ACP agent: its supervised process, the ACP connection and the single session on it.
 * "Committed" for an input means: the `session/prompt` request carrying it was completely written to
 * the agent's stdin (the pipe accepted every byte) while the agent process was alive and its session
 * open. The agent cannot have seen a prompt that was not committed, and a committed one is answered
 * by the turn's events (AcpTurns). Permission requests go to the AcpPermissionDesk.
 * An agent that exits, closes its output, writes garbage or an oversized message, ignores cancel or
 * does not take a prompt is "lost": an `error` event (code `internal`), then `reportLost`; so is one
 * that needs authentication at prompt time (its own `error { code: agent_auth_required }` closes the turn).
 * A loss and a failed start are logged host-side with the agent's stderr tail.
 */
export class AcpAgentSession implements TurnHost {
  readonly connection: ClientConnection;
  readonly events: AcpSessionEvents;
  readonly wire: AcpWire;
  sessionId: string | null = null;
  /** Agent capabilities recorded at initialize. */
  agent = { loadSession: false, closeSession: false };
  ending: 'stopped' | 'lost' | null = null;
  lossDone: Promise<void> = Promise.resolve();
  private readonly early = new EarlyUpdates();
  private readonly terminals: AcpTerminals | null;
  private readonly turns: AcpTurns;
  private readonly permissions: AcpPermissionDesk;
  private live = false;
  private stopDone: Promise<void> | null = null;
  private lossWhy: Diagnostic | null = null;

  constructor(
    readonly options: AcpProfileOptions,
    private readonly context: ExecutionContext,
    readonly process: SupervisedProcess,
    private readonly log: ProcessLog,
  ) {
    const { maxQueuedEvents, maxAssembledBytes } = options.limits;
    this.events = new AcpSessionEvents(context, maxQueuedEvents, maxAssembledBytes, (paused) => (paused ? this.wire.pause() : this.wire.resume()), options.cwd);
    const limit = options.limits.maxMessageBytes;
    this.wire = new AcpWire(process.stdout, process.stdin, limit, {
      tap: (message) => this.tap(message),
      fault: (error) => this.lose({ kind: 'fault', reason: error.reason, limit }),
      end: () => this.lose({ kind: 'eof' }),
    });
    this.turns = new AcpTurns(this);
    const turns = this.turns;
    this.permissions = new AcpPermissionDesk({
      context,
      permissions: options.permissions,
      publishLater: (events) => this.events.publishLater(events),
      whenAnswered: (id) => this.wire.whenAnswered(id),
      get turnCancelled() {
        return turns.cancelling;
      },
    });
    const { fs, terminal } = options.clientCapabilities;
    this.terminals = terminal ? new AcpTerminals(options.cwd, options.envAllowList, options.timeouts.stopGraceMs) : null;
    this.connection = connectClient(this.wire.stream, {
      permission: (request) => this.permissions.respond(request),
      fileSystem: fs ? new AcpFileSystem(options.cwd) : null,
      terminals: this.terminals,
    });
    void process.exited.then(() => this.lose({ kind: 'exit' }));
    // Any other end of the connection (a failed write closes it too) loses the agent as well.
    void this.connection.closed.then(() => this.lose({ kind: 'closed' }));
  }

  /** Why the agent is gone, once it is. */
  get lossDiagnostic(): Diagnostic | null {
    return this.lossWhy;
  }

  /** Stopped or lost: no further input is taken. */
  get ended(): boolean {
    return this.ending !== null;
  }

  /** From now on a loss is reported to the Runtime (the Worker is connected). */
  markLive(): void {
    this.live = true;
  }

  /** The session is `sessionId` (session/new answered, or before session/load): its early updates go out, others' are dropped. */
  open(sessionId: string): void {
    this.sessionId = sessionId;
    for (const update of this.early.release(sessionId)) this.events.update(update);
  }

  /** Logs, host-side, how the agent ended and the last of its stderr (after its stderr ended, bounded). */
  logEnd(why: Diagnostic): Promise<void> {
    return logProcessEnd(this.log, this.process, this.context.worker.workerId, why, STDERR_WAIT_MS);
  }

  dispatch(input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult> {
    return this.turns.dispatch(input, submissionId, signal);
  }

  cancel(signal: AbortSignal): Promise<ControlResult> {
    return this.turns.cancel(signal);
  }

  /** Delivers the Runtime's answer to an open permission request (a person's option, or the deadline's fallback). */
  decide(answer: DecisionAnswer, signal: AbortSignal): Promise<ControlResult> {
    if (this.ending) return Promise.resolve({ status: 'rejected', diagnostic: this.unavailable() });
    return this.permissions.decide(answer, signal);
  }

  /** Ends the session and the agent (TERM, KILL after the grace, or at once when `signal` aborts). Idempotent. */
  async stop(signal?: AbortSignal): Promise<void> {
    if (this.ending === 'lost') return this.lossDone;
    this.ending = 'stopped';
    this.stopDone ??= this.shutDown(signal);
    return this.stopDone;
  }

  turnOver(): void {
    this.permissions.cancelAll();
  }

  private async shutDown(signal?: AbortSignal): Promise<void> {
    const grace = this.options.timeouts.stopGraceMs;
    const sessionId = this.sessionId;
    if (sessionId !== null && this.turns.current) this.connection.agent.notify(methods.agent.session.cancel, { sessionId }).catch(() => undefined);
    this.permissions.cancelAll();
    await this.events.idle(); // the answers are published while the Worker's context still takes them
    if (sessionId !== null && this.agent.closeSession && this.process.exit === null) {
      await within(this.connection.agent.request(methods.agent.session.close, { sessionId }), Math.min(grace, 1_000), signal);
    }
    this.turns.settle('stopped');
    this.connection.close();
    await Promise.all([this.process.stop(grace, signal), this.terminals?.closeAll()]);
  }

  private tap(message: AnyMessage): boolean {
    const m = message as { method?: unknown; id?: unknown; params?: unknown };
    if (m.method === undefined && m.id !== undefined) this.turns.responseArrived(m.id);
    if (m.method === methods.client.session.update && m.id === undefined) {
      const params = m.params as { sessionId?: unknown; update?: { sessionUpdate?: unknown } } | undefined;
      if (typeof params?.update?.sessionUpdate !== 'string') return true;
      const update = params.update as AcpUpdate;
      // Before session/new answered, the session's id is not known yet: held until it is.
      if (this.sessionId === null) this.early.hold(params.sessionId, update);
      else if (params.sessionId === this.sessionId) {
        this.turns.current?.touch();
        this.events.update(update);
      } // else another session's: not this Worker's
      return true;
    }
    this.turns.current?.touch();
    if (m.method === methods.client.session.requestPermission && m.id !== undefined) {
      const request = PermissionRequestSchema.safeParse(m.params);
      if (request.success && !this.ending) this.permissions.receive(request.data, m.id);
    }
    return false;
  }

  lose(loss: AgentLoss): void {
    if (this.ending) return;
    this.ending = 'lost';
    this.lossDone = this.handleLoss(loss);
  }

  private async handleLoss(loss: AgentLoss): Promise<void> {
    if (loss.kind === 'exit') await within(this.wire.closed, DRAIN_MS);
    else if (loss.kind === 'eof' || loss.kind === 'closed') await within(this.process.exited, EXIT_WAIT_MS);
    const why = (this.lossWhy = lossDiagnostic(loss, this.process.exit));
    this.permissions.cancelAll();
    await Promise.all([this.process.stop(this.options.timeouts.stopGraceMs), this.terminals?.closeAll()]);
    this.connection.close();
    if (this.live) {
      void this.logEnd(why); // a failed start is logged by the startup, with the Worker's diagnostic
      if (loss.kind !== 'auth_required') this.events.publishLater([{ event: 'error', data: { code: 'internal', message: why.message } }]);
      await this.events.idle();
      this.context.reportLost(why);
    }
    this.turns.settle('lost');
  }

  unavailable(): Diagnostic {
    return this.lossWhy ?? diagnostic(AcpDiagnosticCode.unavailable, 'the agent is not running');
  }
}
