import { methods, type AnyMessage, type ClientConnection, type PromptResponse } from '@agentclientprotocol/sdk';
import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type { ControlResult, DispatchResult } from '../../ports/executionBackendPort.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import type { SupervisedProcess } from '../process/supervisedProcess.js';
import { connectClient } from './acpClientApp.js';
import type { AcpUpdate } from './acpContent.js';
import { AcpDiagnosticCode, AUTH_REQUIRED, authRequired, lossDiagnostic, rpcErrorCode, type AgentLoss } from './acpDiagnostics.js';
import { AcpFileSystem } from './acpFileSystem.js';
import { planPrompt } from './acpInput.js';
import type { AcpProfileOptions } from './acpOptions.js';
import { logProcessEnd, type ProcessLog } from '../process/processLog.js';
import { EarlyUpdates } from './acpEarlyUpdates.js';
import { decidePermission, PermissionRequestSchema, permissionRequestEvent, permissionResolvedEvent, type PermissionRequest } from './acpPermissions.js';
import { AcpSessionEvents } from './acpSessionEvents.js';
import { AcpTerminals } from './acpTerminals.js';
import { Turn } from './acpTurn.js';
import { turnEndEvents, turnFailedEvents, turnStartEvents } from './acpTurnEvents.js';
import { AcpWire } from './acpWire.js';
import { within } from '../process/within.js';

/** After the agent exits, how long its remaining output may take to arrive (it is all kept). */
const DRAIN_MS = 1_000;
/** After the agent's output ends, how long to wait for its exit status (for the diagnostic). */
const EXIT_WAIT_MS = 300;
/** After the agent exited, how long its last stderr may take to arrive (for the operator's log). */
const STDERR_WAIT_MS = 500;

/**
 * One Worker's ACP agent: its supervised process, the ACP connection and the single session on it.
 * "Committed" for an input means: the `session/prompt` request carrying it was completely written to
 * the agent's stdin (the pipe accepted every byte) while the agent process was alive and its session
 * open. The agent cannot have seen a prompt that was not committed, and a committed one is answered
 * by the turn's events. A run lasts until the prompt's stop reason arrives.
 * An agent that exits, closes its output, writes garbage or an oversized message, ignores cancel or
 * does not take a prompt is "lost": an `error` event (code `internal`), then `reportLost`; so is one
 * that needs authentication at prompt time (its own `error { code: agent_auth_required }` closes the turn).
 * A loss and a failed start are logged host-side with the agent's stderr tail.
 */
export class AcpAgentSession {
  readonly connection: ClientConnection;
  readonly events: AcpSessionEvents;
  sessionId: string | null = null;
  private readonly early = new EarlyUpdates();
  /** Agent capabilities recorded at initialize. */
  agent = { loadSession: false, closeSession: false };
  private readonly wire: AcpWire;
  private readonly terminals: AcpTerminals | null;
  private live = false;
  private turn: Turn | null = null;
  private turns = 0;
  private ending: 'stopped' | 'lost' | null = null;
  private lossDone: Promise<void> = Promise.resolve();
  private stopDone: Promise<void> | null = null;
  private lossWhy: Diagnostic | null = null;

  constructor(
    readonly options: AcpProfileOptions,
    private readonly context: ExecutionContext,
    readonly process: SupervisedProcess,
    private readonly log: ProcessLog,
  ) {
    const { maxQueuedEvents, maxAssembledBytes } = options.limits;
    this.events = new AcpSessionEvents(context, maxQueuedEvents, maxAssembledBytes, (paused) => (paused ? this.wire.pause() : this.wire.resume()));
    const limit = options.limits.maxMessageBytes;
    this.wire = new AcpWire(process.stdout, process.stdin, limit, {
      tap: (message) => this.tap(message),
      fault: (error) => this.lose({ kind: 'fault', reason: error.reason, limit }),
      end: () => this.lose({ kind: 'eof' }),
    });
    const { fs, terminal } = options.clientCapabilities;
    this.terminals = terminal ? new AcpTerminals(options.cwd, options.envAllowList, options.timeouts.stopGraceMs) : null;
    this.connection = connectClient(this.wire.stream, {
      permission: (request) => this.answerPermission(request),
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

  /** Sends one input as a `session/prompt`; `accepted` once committed (see the class comment). */
  async dispatch(input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult> {
    if (this.ending || this.sessionId === null) return { status: 'rejected', diagnostic: this.unavailable() };
    if (this.turn) return { status: 'busy', message: 'the agent is running a turn' };
    const plan = planPrompt(input, this.options.cwd);
    if (!plan.ok) return { status: 'rejected', diagnostic: diagnostic(AcpDiagnosticCode.inputUnsupported, plan.message) };
    const turn = (this.turn = new Turn(++this.turns));
    // Queued before the prompt is written, so the turn's opening events precede anything the agent says.
    this.events.then(async () => {
      if (await turn.commit) await this.events.openTurn(turnStartEvents(turn.number, plan.kind, plan.segments));
    });
    const written = this.wire.whenWritten(methods.agent.session.prompt);
    turn.answer = this.connection.agent.request(methods.agent.session.prompt, { sessionId: this.sessionId, prompt: plan.blocks });
    // Normally `tap` queues the answer's handling where the response arrived; this covers an answer
    // that never arrives as a message (the connection went).
    turn.answer.then(
      () => this.queueAnswer(turn),
      () => this.queueAnswer(turn),
    );
    const ack = await within(written, this.options.timeouts.promptAckMs, signal);
    if (ack.kind === 'ok' && ack.value && !this.ending && this.process.exit === null) {
      turn.decideCommit(true);
      turn.watchInactivity(this.options.timeouts.turnInactivityMs, () => this.inactive(turn));
      return { status: 'accepted', submissionId, state: 'busy' };
    }
    turn.decideCommit(false);
    if (this.turn === turn) this.turn = null;
    // Not committed: the agent is gone, or wedged (not reading), or its input broke. Either way it is lost.
    this.lose(ack.kind === 'timeout' || ack.kind === 'aborted' ? { kind: 'not_reading' } : { kind: 'closed' });
    await within(this.lossDone, DRAIN_MS);
    return { status: 'rejected', diagnostic: this.unavailable() };
  }

  /**
   * `session/cancel`, then waits for the turn to end. `done` once it ended; if the agent has not ended
   * it within the watchdog (or before `signal` aborts), the agent is stopped and lost: `rejected`,
   * answered at most 1 s after the watchdog.
   */
  async cancel(signal: AbortSignal): Promise<ControlResult> {
    const turn = this.turn;
    if (this.ending === 'lost') return { status: 'rejected', diagnostic: this.unavailable() };
    if (!turn || this.ending || !(await turn.commit)) return { status: 'done' };
    return this.cancelTurn(turn, signal);
  }

  private async cancelTurn(turn: Turn, signal?: AbortSignal): Promise<ControlResult> {
    if (turn.cancelRequested) return within(turn.finished, this.options.timeouts.cancelWatchdogMs + DRAIN_MS, signal).then(() => this.cancelOutcome());
    turn.cancelRequested = true;
    turn.stopWatching();
    this.connection.agent.notify(methods.agent.session.cancel, { sessionId: this.sessionId! }).catch(() => undefined);
    const watchdogMs = this.options.timeouts.cancelWatchdogMs;
    const ended = await within(turn.finished, watchdogMs, signal);
    if (ended.kind === 'ok') return ended.value === 'lost' ? { status: 'rejected', diagnostic: this.unavailable() } : { status: 'done' };
    this.lose({ kind: 'cancel_timeout', watchdogMs });
    // Usually done at once (the agent dies on SIGTERM); bounded so the answer beats the Runtime's deadline.
    await within(this.lossDone, DRAIN_MS, signal);
    return { status: 'rejected', diagnostic: this.unavailable() };
  }

  private cancelOutcome(): ControlResult {
    return this.ending === 'lost' ? { status: 'rejected', diagnostic: this.unavailable() } : { status: 'done' };
  }

  /** No update for `turnInactivityMs`: a typed error, then the turn is cancelled (the cancel watchdog applies). */
  private inactive(turn: Turn): void {
    if (this.turn !== turn || this.ending) return;
    const ms = this.options.timeouts.turnInactivityMs;
    this.events.publishLater([{ event: 'error', data: { code: AcpDiagnosticCode.turnInactive, message: `no update from the agent for ${ms} ms; the turn is cancelled` } }]);
    void this.cancelTurn(turn);
  }

  /** Ends the session and the agent (TERM, KILL after the grace, or at once when `signal` aborts). Idempotent. */
  async stop(signal?: AbortSignal): Promise<void> {
    if (this.ending === 'lost') return this.lossDone;
    this.ending = 'stopped';
    this.stopDone ??= this.shutDown(signal);
    return this.stopDone;
  }

  private async shutDown(signal?: AbortSignal): Promise<void> {
    const grace = this.options.timeouts.stopGraceMs;
    const sessionId = this.sessionId;
    if (sessionId !== null && this.turn) this.connection.agent.notify(methods.agent.session.cancel, { sessionId }).catch(() => undefined);
    if (sessionId !== null && this.agent.closeSession && this.process.exit === null) {
      await within(this.connection.agent.request(methods.agent.session.close, { sessionId }), Math.min(grace, 1_000), signal);
    }
    this.turn?.settle('stopped');
    this.turn = null;
    this.connection.close();
    await Promise.all([this.process.stop(grace, signal), this.terminals?.closeAll()]);
  }

  /**
   * Queues the handling of `turn`'s prompt answer once. Called from `tap` as the response arrives, so
   * the turn closes exactly between the updates sent before the answer and those sent after it (the SDK
   * resolves the request later, asynchronously; the step waits for that).
   */
  private queueAnswer(turn: Turn): void {
    if (turn.answerQueued || !turn.answer) return;
    turn.answerQueued = true;
    const answer = turn.answer;
    this.events.then(() =>
      answer.then(
        (response) => this.endTurn(turn, response),
        (error: unknown) => this.failTurn(turn, error),
      ),
    );
  }

  private tap(message: AnyMessage): boolean {
    const m = message as { method?: unknown; id?: unknown; params?: unknown };
    if (m.method === undefined && m.id !== undefined && this.turn && m.id === this.wire.lastRequestId(methods.agent.session.prompt)) {
      this.queueAnswer(this.turn);
    }
    if (m.method === methods.client.session.update && m.id === undefined) {
      const params = m.params as { sessionId?: unknown; update?: { sessionUpdate?: unknown } } | undefined;
      if (typeof params?.update?.sessionUpdate !== 'string') return true;
      const update = params.update as AcpUpdate;
      // Before session/new answered, the session's id is not known yet: held until it is.
      if (this.sessionId === null) this.early.hold(params.sessionId, update);
      else if (params.sessionId === this.sessionId) {
        this.turn?.touch();
        this.events.update(update);
      } // else another session's: not this Worker's
      return true;
    }
    this.turn?.touch();
    if (m.method === methods.client.session.requestPermission && m.id !== undefined) {
      const request = PermissionRequestSchema.safeParse(m.params);
      if (request.success) this.events.publishLater([permissionRequestEvent(request.data)]);
    }
    return false;
  }

  private answerPermission(request: PermissionRequest) {
    const decision = decidePermission(request, this.options.permissions, this.turn?.cancelRequested ?? false);
    this.events.publishLater([permissionResolvedEvent(request, decision)]);
    return decision.response;
  }

  private async endTurn(turn: Turn, response: PromptResponse): Promise<void> {
    if (!turn.committed) return turn.settle('ended');
    if (this.ending) return;
    if (this.turn === turn) this.turn = null;
    await this.events.closeTurn(turnEndEvents(turn.number, response?.stopReason, (response as { usage?: unknown } | undefined)?.usage));
    turn.settle('ended');
  }

  private async failTurn(turn: Turn, error: unknown): Promise<void> {
    if (!turn.committed) return turn.settle('ended');
    if (this.ending) return;
    const code = rpcErrorCode(error);
    if (code === null) return this.lose({ kind: 'closed' }); // the connection went, not the prompt
    if (this.turn === turn) this.turn = null;
    if (code === AUTH_REQUIRED) {
      // Every later prompt would fail the same way: the turn is closed, then the agent is given up.
      await this.events.closeTurn(turnFailedEvents(turn.number, authRequired().message, AcpDiagnosticCode.authRequired));
      turn.settle('ended');
      return this.lose({ kind: 'auth_required' });
    }
    await this.events.closeTurn(turnFailedEvents(turn.number, `the agent failed the prompt: ${(error as Error).message ?? 'error'} (JSON-RPC ${code})`));
    turn.settle('ended');
  }

  private lose(loss: AgentLoss): void {
    if (this.ending) return;
    this.ending = 'lost';
    this.lossDone = this.handleLoss(loss);
  }

  private async handleLoss(loss: AgentLoss): Promise<void> {
    if (loss.kind === 'exit') await within(this.wire.closed, DRAIN_MS);
    else if (loss.kind === 'eof' || loss.kind === 'closed') await within(this.process.exited, EXIT_WAIT_MS);
    const why = (this.lossWhy = lossDiagnostic(loss, this.process.exit));
    await Promise.all([this.process.stop(this.options.timeouts.stopGraceMs), this.terminals?.closeAll()]);
    this.connection.close();
    if (this.live) {
      void this.logEnd(why); // a failed start is logged by the startup, with the Worker's diagnostic
      if (loss.kind !== 'auth_required') this.events.publishLater([{ event: 'error', data: { code: 'internal', message: why.message } }]);
      await this.events.idle();
      this.context.reportLost(why);
    }
    this.turn?.settle('lost');
    this.turn = null;
  }

  private unavailable(): Diagnostic {
    return this.lossWhy ?? diagnostic(AcpDiagnosticCode.unavailable, 'the agent is not running');
  }
}
