import type { Diagnostic } from '../../domain/diagnostic.js';
import { childEnvironment } from '../process/childEnvironment.js';
import { SupervisedProcess } from '../process/supervisedProcess.js';
import { RuntimeDirectory } from './runtimeDirectory.js';
import { connectDiagnostic, Diagnostics, exitedDiagnostic, spawnFailure } from './workerBridgeDiagnostics.js';
import { SOCKET_ENV, SOCKET_PLACEHOLDER, type CommandOptions } from './workerBridgeOptions.js';
import { WorkerConnection } from './workerConnection.js';
import { pause } from '../process/within.js';

/** Between two connection attempts while a started worker is not listening yet. */
const POLL_MS = 20;

export type LaunchOutcome =
  | { readonly ok: true; readonly process: SupervisedProcess; readonly directory: RuntimeDirectory; readonly connection: WorkerConnection }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Starts a worker process and connects to it. The worker gets a private runtime directory (0700) and
 * the socket path inside it, both as `YOI_WORKER_SOCKET` in its environment and in place of `{socket}`
 * in its arguments; it must listen there within `timeouts.startMs`. Its environment is PATH, the
 * allow-listed variables and `YOI_WORKER_SOCKET`, nothing else. Any failure leaves nothing behind
 * (the process group is stopped, the directory removed) and answers a diagnostic without a path.
 */
export async function launchWorker(
  options: CommandOptions,
  signal: AbortSignal,
  logEnd: (child: SupervisedProcess, why: Diagnostic) => Promise<void>,
): Promise<LaunchOutcome> {
  const created = await RuntimeDirectory.create(options.runtimeDirParent);
  if (!created.ok) return created;
  const directory = created.directory;
  const socketPath = directory.socketPath;
  const started = await SupervisedProcess.start({
    command: options.command,
    args: options.args.map((arg) => arg.split(SOCKET_PLACEHOLDER).join(socketPath)),
    cwd: options.cwd,
    env: { ...childEnvironment(options.envAllowList), [SOCKET_ENV]: socketPath },
    stderrTailBytes: options.limits.stderrTailBytes,
  });
  if (!started.ok) {
    await directory.remove();
    return { ok: false, diagnostic: spawnFailure(started.reason) };
  }
  const child = started.process;
  child.stdout.resume(); // the protocol runs over the socket: stdout is drained so the worker never blocks on it
  const connected = await waitForSocket(socketPath, child, options, signal);
  if (!connected.ok) {
    await child.stop(options.timeouts.stopGraceMs, signal);
    await directory.remove();
    await logEnd(child, connected.diagnostic);
    return connected;
  }
  return { ok: true, process: child, directory, connection: connected.connection };
}

type Waited = { readonly ok: true; readonly connection: WorkerConnection } | { readonly ok: false; readonly diagnostic: Diagnostic };

async function waitForSocket(socketPath: string, child: SupervisedProcess, options: CommandOptions, signal: AbortSignal): Promise<Waited> {
  const { startMs, connectMs } = options.timeouts;
  const deadline = Date.now() + startMs;
  for (;;) {
    if (child.exit) return { ok: false, diagnostic: exitedDiagnostic(child.exit, 'start') };
    if (signal.aborted) return { ok: false, diagnostic: Diagnostics.startAbandoned() };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, diagnostic: Diagnostics.startTimeout(startMs) };
    const attempt = await WorkerConnection.connect(socketPath, Math.min(remaining, connectMs), signal);
    if (attempt.ok) return attempt;
    if (attempt.failure === 'aborted') return { ok: false, diagnostic: connectDiagnostic('aborted', connectMs) };
    // Not listening yet (no socket file, or nobody accepting): poll until the deadline or the worker's exit.
    await Promise.race([pause(Math.min(POLL_MS, Math.max(1, remaining)), signal), child.exited]);
  }
}
