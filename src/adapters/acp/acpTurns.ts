import { methods, type ClientConnection, type PromptResponse } from '@agentclientprotocol/sdk';
import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type { ControlResult, DispatchResult } from '../../ports/executionBackendPort.js';
import type { SupervisedProcess } from '../process/supervisedProcess.js';
import { within } from '../process/within.js';
import { AcpDiagnosticCode, AUTH_REQUIRED, authRequired, rpcErrorCode, type AgentLoss } from './acpDiagnostics.js';
import { planPrompt } from './acpInput.js';
import type { AcpProfileOptions } from './acpOptions.js';
import type { AcpSessionEvents } from './acpSessionEvents.js';
import { Turn } from './acpTurn.js';
import { turnEndEvents, turnFailedEvents, turnStartEvents } from './acpTurnEvents.js';
import type { AcpWire } from './acpWire.js';

/** After the agent is given up, how long its remaining output may take to be handled. */
export const DRAIN_MS = 1_000;

/** What the turns need of their session. */
export interface TurnHost {
  readonly options: AcpProfileOptions;
  readonly events: AcpSessionEvents;
  readonly wire: AcpWire;
  readonly connection: ClientConnection;
  readonly process: SupervisedProcess;
  readonly sessionId: string | null;
  /** Stopped or lost: no further prompt. */
  readonly ending: 'stopped' | 'lost' | null;
  readonly lossDone: Promise<void>;
  lose(loss: AgentLoss): void;
  unavailable(): Diagnostic;
  /** A turn was cancelled or ended: questions still open for it are answered `cancelled`. */
  turnOver(): void;
}

/**
 * The prompt turns of one session: one `session/prompt` at a time, committed once written to the
 * agent's stdin (see AcpAgentSession), closed exactly where the prompt's answer arrived among the
 * updates, cancelled with `session/cancel` and a watchdog.
 */
export class AcpTurns {
  current: Turn | null = null;
  private count = 0;

  constructor(private readonly host: TurnHost) {}

  /** The current turn is being cancelled (a permission request now is answered `cancelled`). */
  get cancelling(): boolean {
    return this.current?.cancelRequested ?? false;
  }

  /** Sends one input as a `session/prompt`; `accepted` once committed. */
  async dispatch(input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult> {
    const { host } = this;
    if (host.ending || host.sessionId === null) return { status: 'rejected', diagnostic: host.unavailable() };
    if (this.current) return { status: 'busy', message: 'the agent is running a turn' };
    const plan = planPrompt(input, host.options.cwd);
    if (!plan.ok) return { status: 'rejected', diagnostic: diagnostic(AcpDiagnosticCode.inputUnsupported, plan.message) };
    const turn = (this.current = new Turn(++this.count));
    // Queued before the prompt is written, so the turn's opening events precede anything the agent says.
    host.events.then(async () => {
      if (await turn.commit) await host.events.openTurn(turnStartEvents(turn.number, plan.kind, plan.segments));
    });
    const written = host.wire.whenWritten(methods.agent.session.prompt);
    turn.answer = host.connection.agent.request(methods.agent.session.prompt, { sessionId: host.sessionId, prompt: plan.blocks });
    // Normally the tap queues the answer's handling where the response arrived; this covers an answer
    // that never arrives as a message (the connection went).
    turn.answer.then(
      () => this.queueAnswer(turn),
      () => this.queueAnswer(turn),
    );
    const ack = await within(written, host.options.timeouts.promptAckMs, signal);
    if (ack.kind === 'ok' && ack.value && !host.ending && host.process.exit === null) {
      turn.decideCommit(true);
      turn.watchInactivity(host.options.timeouts.turnInactivityMs, () => this.inactive(turn));
      return { status: 'accepted', submissionId, state: 'busy' };
    }
    turn.decideCommit(false);
    if (this.current === turn) this.current = null;
    // Not committed: the agent is gone, or wedged (not reading), or its input broke. Either way it is lost.
    host.lose(ack.kind === 'timeout' || ack.kind === 'aborted' ? { kind: 'not_reading' } : { kind: 'closed' });
    await within(host.lossDone, DRAIN_MS);
    return { status: 'rejected', diagnostic: host.unavailable() };
  }

  /**
   * `session/cancel`, then waits for the turn to end. `done` once it ended; if the agent has not ended
   * it within the watchdog (or before `signal` aborts), the agent is stopped and lost: `rejected`,
   * answered at most 1 s after the watchdog.
   */
  async cancel(signal: AbortSignal): Promise<ControlResult> {
    const turn = this.current;
    if (this.host.ending === 'lost') return { status: 'rejected', diagnostic: this.host.unavailable() };
    if (!turn || this.host.ending || !(await turn.commit)) return { status: 'done' };
    return this.cancelTurn(turn, signal);
  }

  /** The response to the current prompt arrived (called from the tap, at its place among the updates). */
  responseArrived(id: unknown): void {
    if (this.current && id === this.host.wire.lastRequestId(methods.agent.session.prompt)) this.queueAnswer(this.current);
  }

  /** Ends the current turn without its events (the session stopped or was lost). */
  settle(end: 'stopped' | 'lost'): void {
    this.current?.settle(end);
    this.current = null;
  }

  private async cancelTurn(turn: Turn, signal?: AbortSignal): Promise<ControlResult> {
    const { host } = this;
    if (turn.cancelRequested) return within(turn.finished, host.options.timeouts.cancelWatchdogMs + DRAIN_MS, signal).then(() => this.cancelOutcome());
    turn.cancelRequested = true;
    turn.stopWatching();
    host.connection.agent.notify(methods.agent.session.cancel, { sessionId: host.sessionId! }).catch(() => undefined);
    host.turnOver(); // ACP: the client answers every pending permission request `cancelled`
    const watchdogMs = host.options.timeouts.cancelWatchdogMs;
    const ended = await within(turn.finished, watchdogMs, signal);
    if (ended.kind === 'ok') return ended.value === 'lost' ? { status: 'rejected', diagnostic: host.unavailable() } : { status: 'done' };
    host.lose({ kind: 'cancel_timeout', watchdogMs });
    // Usually done at once (the agent dies on SIGTERM); bounded so the answer beats the Runtime's deadline.
    await within(host.lossDone, DRAIN_MS, signal);
    return { status: 'rejected', diagnostic: host.unavailable() };
  }

  private cancelOutcome(): ControlResult {
    return this.host.ending === 'lost' ? { status: 'rejected', diagnostic: this.host.unavailable() } : { status: 'done' };
  }

  /** No update for `turnInactivityMs`: a typed error, then the turn is cancelled (the cancel watchdog applies). */
  private inactive(turn: Turn): void {
    if (this.current !== turn || this.host.ending) return;
    const ms = this.host.options.timeouts.turnInactivityMs;
    this.host.events.publishLater([{ event: 'error', data: { code: AcpDiagnosticCode.turnInactive, message: `no update from the agent for ${ms} ms; the turn is cancelled` } }]);
    void this.cancelTurn(turn);
  }

  /**
   * Queues the handling of `turn`'s prompt answer once, so the turn closes exactly between the updates
   * sent before the answer and those sent after it (the SDK resolves the request later; the step waits).
   */
  private queueAnswer(turn: Turn): void {
    if (turn.answerQueued || !turn.answer) return;
    turn.answerQueued = true;
    const answer = turn.answer;
    this.host.events.then(() =>
      answer.then(
        (response) => this.endTurn(turn, response),
        (error: unknown) => this.failTurn(turn, error),
      ),
    );
  }

  private async endTurn(turn: Turn, response: PromptResponse): Promise<void> {
    if (!turn.committed) return turn.settle('ended');
    if (this.host.ending) return;
    if (this.current === turn) this.current = null;
    this.host.turnOver();
    await this.host.events.closeTurn(turnEndEvents(turn.number, response?.stopReason, (response as { usage?: unknown } | undefined)?.usage));
    turn.settle('ended');
  }

  private async failTurn(turn: Turn, error: unknown): Promise<void> {
    const { host } = this;
    if (!turn.committed) return turn.settle('ended');
    if (host.ending) return;
    const code = rpcErrorCode(error);
    if (code === null) return host.lose({ kind: 'closed' }); // the connection went, not the prompt
    if (this.current === turn) this.current = null;
    host.turnOver();
    if (code === AUTH_REQUIRED) {
      // Every later prompt would fail the same way: the turn is closed, then the agent is given up.
      await host.events.closeTurn(turnFailedEvents(turn.number, authRequired().message, AcpDiagnosticCode.authRequired));
      turn.settle('ended');
      return host.lose({ kind: 'auth_required' });
    }
    await host.events.closeTurn(turnFailedEvents(turn.number, `the agent failed the prompt: ${(error as Error).message ?? 'error'} (JSON-RPC ${code})`));
    turn.settle('ended');
  }
}
