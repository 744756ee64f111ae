import { inject, injectable } from 'inversify';
import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type { WorkerMethod } from '../../domain/workerMethod.js';
import type {
  ControlResult,
  DispatchResult,
  ExecutionBackendPort,
  ExecutionHandle,
  RestoreRequest,
  RestoreResult,
  SnapshotResult,
  SpawnRequest,
  SpawnResult,
} from '../../ports/executionBackendPort.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import { connectDiagnostic, Diagnostics, WorkerBridgeDiagnosticCode } from './workerBridgeDiagnostics.js';
import { isCommand, parseProfileOptions, WorkerBridgeBackendOptions, type WorkerBridgeProfileOptions } from './workerBridgeOptions.js';
import { WorkerConnection } from './workerConnection.js';
import { launchWorker } from './workerLauncher.js';
import { WorkerLink, type LinkTarget } from './workerLink.js';
import { WorkerSession } from './workerSession.js';
import { logProcessEnd, logToStderr, type ProcessLog, type ProcessLogEntry } from '../process/processLog.js';

type Started = { readonly ok: true; readonly target: LinkTarget; readonly connection: WorkerConnection } | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Runs each Worker as a yoi worker process spoken to over its Unix socket (newline-delimited JSON:
 * methods in, protocol events out). A profile either names a `command` (the bridge starts the worker
 * with a private runtime directory and tells it where to listen) or the `socketPath` of a worker that
 * is already running. Every event the worker sends is published as received, in order. Capabilities:
 * stop, cancel, methods, snapshot, restore (reattaching to a `socketPath` worker).
 * Socket paths, runtime directories and process ids stay inside this adapter.
 */
@injectable()
export class WorkerBridgeExecutionBackend implements ExecutionBackendPort {
  readonly backendId: string;
  private readonly sessions = new Map<ExecutionHandle, WorkerSession>();
  /** Handles this backend issued and has stopped: stopping one again is done (a retry after a deadline). */
  private readonly stopped = new WeakSet<object>();

  private readonly log: ProcessLog;

  constructor(@inject(WorkerBridgeBackendOptions) options: { readonly backendId: string; readonly log?: (entry: ProcessLogEntry) => void }) {
    this.backendId = options.backendId;
    const sink = options.log ?? logToStderr;
    this.log = (entry) => sink({ source: 'workerBridge', backendId: this.backendId, ...entry });
  }

  /**
   * Starts (or connects to) the worker, publishes its alerts and first `snapshot`, and answers
   * `ready` in the snapshot's run state. `rejected` (the Worker is `unavailable`) with
   * `worker_bridge_options_invalid`, `worker_command_not_found`, `worker_command_not_executable`,
   * `worker_cwd_unavailable`, `worker_spawn_failed`, `worker_runtime_dir_failed`,
   * `worker_start_timeout`, `worker_exited`, `worker_connect_refused`, `worker_connect_timeout`,
   * `worker_snapshot_timeout` or `worker_start_abandoned`. Nothing is left running after a rejection.
   */
  async spawn(request: SpawnRequest, context: ExecutionContext, signal: AbortSignal): Promise<SpawnResult> {
    const parsed = parseProfileOptions(request.profileOptions);
    if (!parsed.ok) return rejected(diagnostic(WorkerBridgeDiagnosticCode.optionsInvalid, parsed.message));
    return this.start(parsed.options, context, signal);
  }

  /** Reattaches to a `socketPath` worker after a Runtime restart (as spawn); `unsupported` for a started worker, which ended with its Runtime. */
  async restore(request: RestoreRequest, context: ExecutionContext, signal: AbortSignal): Promise<RestoreResult> {
    const parsed = parseProfileOptions(request.profileOptions);
    if (!parsed.ok) return rejected(diagnostic(WorkerBridgeDiagnosticCode.optionsInvalid, parsed.message));
    if (isCommand(parsed.options)) return { status: 'unsupported' };
    return this.start(parsed.options, context, signal);
  }

  /** See `WorkerSession.dispatch`: accepted only on the worker's committed `user_message`. */
  dispatchInput(handle: ExecutionHandle, input: WorkerInput, submissionId: string, signal: AbortSignal): Promise<DispatchResult> {
    const session = this.sessions.get(handle);
    return session ? session.dispatch(input, submissionId, signal) : Promise.resolve(rejected(Diagnostics.unavailable()));
  }

  /** `cancel`, then waits for the run's end (see `WorkerSession.cancel`); `rejected` for a handle not (or no longer) live here. */
  async cancel(handle: ExecutionHandle, signal: AbortSignal): Promise<ControlResult> {
    const session = this.sessions.get(handle);
    return session ? session.cancel(signal) : rejected(Diagnostics.noSuchWorker());
  }

  /** Sends a worker-protocol method (`pause`, `compact`, ...); `done` once the worker answered it (see `WorkerSession.method`). */
  async dispatchMethod(handle: ExecutionHandle, method: WorkerMethod, signal: AbortSignal): Promise<ControlResult> {
    const session = this.sessions.get(handle);
    return session ? session.method(method, signal) : rejected(Diagnostics.noSuchWorker());
  }

  /** The worker's latest snapshot data, greeting `cwd` removed. */
  async snapshot(handle: ExecutionHandle): Promise<SnapshotResult> {
    const session = this.sessions.get(handle);
    return session ? session.snapshot() : rejected(Diagnostics.unavailable());
  }

  /**
   * `shutdown`, then close, then SIGTERM / SIGKILL for a started worker's whole process tree; its
   * runtime directory is removed. `done` when nothing of it runs (also for a handle already stopped);
   * `rejected` for a handle this backend never issued.
   */
  async stop(handle: ExecutionHandle, signal: AbortSignal): Promise<ControlResult> {
    const session = this.sessions.get(handle);
    if (!session) return isObject(handle) && this.stopped.has(handle) ? { status: 'done' } : rejected(Diagnostics.noSuchWorker());
    await session.link.stop(signal);
    this.sessions.delete(handle);
    if (isObject(handle)) this.stopped.add(handle);
    return { status: 'done' };
  }

  /** Stops every worker still linked (Runtime shutdown). */
  async dispose(signal: AbortSignal): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((session) => session.link.stop(signal)));
  }

  private async start(options: WorkerBridgeProfileOptions, context: ExecutionContext, signal: AbortSignal): Promise<SpawnResult> {
    const workerId = context.worker.workerId;
    const started = await open(options, signal, this.log, workerId);
    if (!started.ok) return rejected(started.diagnostic);
    const link = new WorkerLink(options, context, started.target, this.log);
    const attached = await link.attach(started.connection, signal);
    if (!attached.ok || link.ended) {
      await link.stop(AbortSignal.abort()); // nothing to wait for: kill what was started, remove its directory
      const why = attached.ok ? (link.lossWhy ?? Diagnostics.disconnected()) : attached.diagnostic;
      if (started.target.process) await logProcessEnd(this.log, started.target.process, workerId, why);
      return rejected(why);
    }
    link.markLive();
    const handle = Object.freeze({ backend: this.backendId });
    this.sessions.set(handle, new WorkerSession(link));
    return { status: 'ready', handle, state: attached.state };
  }
}

async function open(options: WorkerBridgeProfileOptions, signal: AbortSignal, log: ProcessLog, workerId: string): Promise<Started> {
  if (isCommand(options)) {
    const launched = await launchWorker(options, signal, (child, why) => logProcessEnd(log, child, workerId, why));
    if (!launched.ok) return launched;
    const target = { socketPath: launched.directory.socketPath, process: launched.process, directory: launched.directory };
    return { ok: true, target, connection: launched.connection };
  }
  const { connectMs } = options.timeouts;
  const dialled = await WorkerConnection.connect(options.socketPath, connectMs, signal);
  if (!dialled.ok) return { ok: false, diagnostic: connectDiagnostic(dialled.failure, connectMs) };
  return { ok: true, target: { socketPath: options.socketPath, process: null, directory: null }, connection: dialled.connection };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function rejected(why: Diagnostic): { status: 'rejected'; diagnostic: Diagnostic } {
  return { status: 'rejected', diagnostic: why };
}
