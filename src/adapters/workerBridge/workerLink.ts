import type { Diagnostic } from '../../domain/diagnostic.js';
import { runStateAfterEvent, type RunState } from '../../domain/workerState.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import type { SupervisedProcess } from '../process/supervisedProcess.js';
import { EventRelay, isBridgeAuthored } from './eventRelay.js';
import type { WireEvent } from './lineDecoder.js';
import type { RuntimeDirectory } from './runtimeDirectory.js';
import { runStateOfSnapshot } from './snapshotData.js';
import { SubmissionTracker } from './submissionTracker.js';
import { Diagnostics, exitedDiagnostic } from './workerBridgeDiagnostics.js';
import type { WorkerBridgeProfileOptions } from './workerBridgeOptions.js';
import { WorkerConnection } from './workerConnection.js';
import { pause, within } from '../process/within.js';
import { logProcessEnd, type ProcessLog } from '../process/processLog.js';

/** After the connection closed, how long to wait for a started worker's exit before reconnecting (a crash is not redialled). */
const EXIT_WAIT_MS = 300;
/** After a started worker exited, how long its remaining output may take to arrive (it is all kept). */
const DRAIN_MS = 1_000;

/** Where the worker is: its socket, and for a worker the bridge started, its process and runtime directory. */
export interface LinkTarget {
  readonly socketPath: string;
  readonly process: SupervisedProcess | null;
  readonly directory: RuntimeDirectory | null;
}

export type AttachResult = { readonly ok: true; readonly state: RunState } | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * One Worker's link to its worker process: the current connection, the ordered relay, the run state
 * and latest snapshot as the worker reported them, and what happens when the connection goes.
 * A dropped connection is reported lost at once (`worker_disconnected`), then redialled with backoff;
 * the worker's new alerts and snapshot are published as received (nothing old is republished) and,
 * right after the snapshot, the Worker is reported restored in its state. A started worker that
 * exits is lost for good (`worker_exited` with its exit status, after its last output was read).
 * Losses are reported only once the Runtime has committed the Worker (from the macrotask after spawn).
 */
export class WorkerLink {
  readonly submissions: SubmissionTracker;
  /** The run state the worker's published events (and its last snapshot) say. */
  runState: RunState = 'idle';
  latestSnapshot: Readonly<Record<string, unknown>> | null = null;
  /** Why the worker is gone for good, once it is. */
  lossWhy: Diagnostic | null = null;
  private readonly relay: EventRelay;
  private connection: WorkerConnection | null = null;
  private onSeed: ((state: RunState | null) => void) | null = null;
  private runEndWaiters: ((ended: boolean) => void)[] = [];
  private ending: 'stopping' | 'lost' | null = null;
  private live = false;
  private confirmed = false;
  private deferred: (() => void)[] = [];
  private readonly reconnecting = new AbortController();

  constructor(
    readonly options: WorkerBridgeProfileOptions,
    private context: ExecutionContext,
    readonly target: LinkTarget,
    private readonly log: ProcessLog,
  ) {
    this.submissions = new SubmissionTracker(options.ackMatch);
    const pressure = (paused: boolean) => (paused ? this.connection?.pause() : this.connection?.resume());
    this.relay = new EventRelay(context, options.limits.maxQueuedEvents, (event) => this.observe(event), pressure, (event) => this.restoredBy(event));
    void target.process?.exited.then(() => this.onExit());
  }

  /** Open and not ending: input and control may go to the worker. */
  get connected(): WorkerConnection | null {
    return this.ending || !this.live || !this.connection?.isOpen ? null : this.connection;
  }

  /** Stopping, or the worker is gone for good. */
  get ended(): boolean {
    return this.ending !== null;
  }

  /** Runs `step` after every event received so far has been published. */
  step(step: () => void): void {
    this.relay.step(step);
  }

  /**
   * Starts relaying `connection` and waits for the worker's first `snapshot` (alerts before it are
   * published as they come), within `connectMs` or until `signal` aborts.
   */
  async attach(connection: WorkerConnection, signal: AbortSignal, seeded?: (state: RunState) => void): Promise<AttachResult> {
    const seed = new Promise<RunState | null>((resolve) => {
      this.onSeed = (state) => {
        this.onSeed = null;
        if (state !== null) seeded?.(state); // synchronously: before the relay publishes the next event
        resolve(state);
      };
    });
    this.connection = connection;
    connection.start(
      { event: (e) => this.relay.event(e), fault: (f) => this.relay.fault(f), closed: () => this.relay.step(() => this.onClosed(connection)) },
      this.options.limits.maxLineBytes,
    );
    const { connectMs } = this.options.timeouts;
    const outcome = await within(seed, connectMs, signal);
    if (outcome.kind === 'ok' && outcome.value !== null) return { ok: true, state: outcome.value };
    this.onSeed = null;
    // Forgotten before it is closed, so its `closed` step does not start another recovery.
    if (this.connection === connection) this.connection = null;
    connection.close();
    const child = this.target.process;
    if (child && outcome.kind === 'ok') await within(child.exited, EXIT_WAIT_MS);
    if (child?.exit) return { ok: false, diagnostic: exitedDiagnostic(child.exit, 'start') };
    if (outcome.kind === 'aborted') return { ok: false, diagnostic: Diagnostics.startAbandoned() };
    if (outcome.kind === 'ok') return { ok: false, diagnostic: Diagnostics.disconnected() };
    return { ok: false, diagnostic: Diagnostics.snapshotTimeout(connectMs) };
  }

  /** The spawn was answered `ready`: from the next macrotask on (the Runtime has committed by then) losses are reported. */
  markLive(): void {
    this.live = true;
    setImmediate(() => {
      this.confirmed = true;
      for (const report of this.deferred.splice(0)) report();
    });
  }

  /** Resolves true once the run has ended (run state idle), false if the connection goes first. */
  whenRunEnds(): Promise<boolean> {
    if (this.runState === 'idle') return Promise.resolve(true);
    return new Promise((resolve) => this.runEndWaiters.push(resolve));
  }

  /** Gives the worker up (it ignored cancel, reconnecting failed): stops a started one, reports the loss. */
  async lose(why: Diagnostic, graceMs: number): Promise<void> {
    if (this.ending) return;
    this.ending = 'lost';
    this.lossWhy = why;
    this.reconnecting.abort();
    this.connection?.close();
    await this.target.process?.stop(graceMs);
    if (this.target.process && this.live) void logProcessEnd(this.log, this.target.process, this.context.worker.workerId, why);
    this.relay.step(() => this.reportLost(why));
    await this.target.directory?.remove();
  }

  /** Ends the link: `shutdown`, then close, then TERM/KILL for a started worker; the directory goes. */
  async stop(signal: AbortSignal): Promise<void> {
    const before = this.ending;
    this.ending = 'stopping';
    this.reconnecting.abort();
    this.submissions.abandon();
    const connection = this.connection;
    const { stopMs, stopGraceMs } = this.options.timeouts;
    if (before === null && connection?.isOpen && (await connection.send({ method: 'shutdown' }))) {
      const exited = this.target.process?.exited ?? new Promise<never>(() => undefined);
      await within(Promise.race([connection.done, exited]), stopMs, signal);
    }
    connection?.close();
    await this.target.process?.stop(stopGraceMs, signal);
    // The worker's last events (its `shutdown`) go out while the Worker's context is still live.
    await within(this.relay.idle(), DRAIN_MS, signal);
    await this.target.directory?.remove();
  }

  private observe(event: WireEvent): void {
    const data = event.data as Readonly<Record<string, unknown>> | undefined;
    if (event.event === 'snapshot') {
      this.latestSnapshot = data ?? null;
      this.runState = runStateOfSnapshot(data);
      this.onSeed?.(this.runState);
    } else {
      this.runState = runStateAfterEvent(event.event, data) ?? this.runState;
    }
    // The bridge's own diagnostics (a bad line replaced) are never the worker's answer to a request.
    if (!isBridgeAuthored(event)) this.submissions.observe(event);
    if (this.runState === 'idle') this.releaseRunEnd(true);
  }

  /**
   * A lost context refuses everything; the reseed snapshot of a reconnect restores the Worker first
   * (in the snapshot's run state) and is published through the context the Runtime hands back.
   */
  private restoredBy(event: WireEvent): ExecutionContext | undefined {
    if (event.event !== 'snapshot' || !this.onSeed || this.ending) return undefined;
    const next = this.context.reportRestored(runStateOfSnapshot(event.data as Readonly<Record<string, unknown>> | undefined));
    if (next) this.context = next;
    return next;
  }

  private releaseRunEnd(ended: boolean): void {
    for (const resolve of this.runEndWaiters.splice(0)) resolve(ended);
  }

  private onClosed(connection: WorkerConnection): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.submissions.abandon();
    this.releaseRunEnd(false);
    if (this.onSeed) return this.onSeed(null); // an attach is waiting: it answers
    if (!this.ending && this.live) void this.recover();
  }

  private async recover(): Promise<void> {
    this.reportLost(Diagnostics.disconnected());
    // A started worker that exits now crashed rather than dropped the connection: onExit reports that instead.
    if (this.target.process && (await within(this.target.process.exited, EXIT_WAIT_MS)).kind === 'ok') return;
    if (this.ending) return;
    const { initialDelayMs, maxDelayMs, factor, maxAttempts } = this.options.reconnect;
    const signal = this.reconnecting.signal;
    let delay = initialDelayMs;
    for (let attempt = 1; maxAttempts === 0 || attempt <= maxAttempts; attempt++) {
      if (!(await pause(delay, signal)) || this.ending) return;
      delay = Math.min(maxDelayMs, delay * factor);
      const dialled = await WorkerConnection.connect(this.target.socketPath, this.options.timeouts.connectMs, signal);
      if (!dialled.ok) continue;
      if (this.ending) return dialled.connection.close();
      const seeded = await this.attach(dialled.connection, signal, (state) => this.report(() => this.context.reportRestored(state)));
      if (seeded.ok || this.ending) return;
    }
    await this.lose(Diagnostics.reconnectFailed(maxAttempts), this.options.timeouts.stopGraceMs);
  }

  private async onExit(): Promise<void> {
    if (this.ending) return;
    this.ending = 'lost';
    this.reconnecting.abort();
    const why = (this.lossWhy = exitedDiagnostic(this.target.process!.exit, 'run'));
    if (this.live) void logProcessEnd(this.log, this.target.process!, this.context.worker.workerId, why);
    const connection = this.connection;
    // Everything the worker wrote before it died is still in the socket: read it all first.
    if (connection?.isOpen) await within(connection.done, DRAIN_MS);
    connection?.close();
    this.relay.step(() => {
      this.submissions.abandon();
      this.releaseRunEnd(false);
      this.reportLost(why);
    });
    await this.target.directory?.remove();
  }

  private reportLost(why: Diagnostic): void {
    this.report(() => this.context.reportLost(why));
  }

  private report(call: () => void): void {
    if (!this.live) return;
    if (this.confirmed) call();
    else this.deferred.push(call);
  }
}
