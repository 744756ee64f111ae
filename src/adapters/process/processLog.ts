import { z } from 'zod';
import type { Diagnostic } from '../../domain/diagnostic.js';
import type { SupervisedProcess } from './supervisedProcess.js';
import { within } from './within.js';

/**
 * What an operator needs when a supervised agent or worker fails to start or ends unexpectedly: which
 * Worker, the diagnostic, how it exited and the last of its stderr. Host-side only (the tail may hold
 * anything): never published, never in a result or a diagnostic.
 */
export interface ProcessLogEntry {
  readonly source: 'acp' | 'workerBridge';
  readonly backendId: string;
  readonly workerId: string;
  readonly code: string;
  readonly message: string;
  /** "exit code 3", "signal SIGKILL", "still running". */
  readonly exit: string;
  readonly stderrTail: string;
}

/** The default log: one JSON line on the host's stderr. */
export function logToStderr(entry: ProcessLogEntry): void {
  process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'supervised process ended', ...entry })}\n`);
}

/** A backend option: where such entries go (default: the host's stderr). */
export const ProcessLogOption = z
  .custom<(entry: ProcessLogEntry) => void>((value) => typeof value === 'function', 'a function')
  .default(() => logToStderr);

/** A backend's log, already told its source and backend id. */
export type ProcessLog = (entry: Omit<ProcessLogEntry, 'source' | 'backendId'>) => void;

/** After its stderr ended (at most `waitMs`), logs how `child` ended and the last of its stderr. */
export async function logProcessEnd(log: ProcessLog, child: SupervisedProcess, workerId: string, why: Diagnostic, waitMs = 500): Promise<void> {
  await within(child.stderrEnded, waitMs);
  const exit = child.exit;
  log({ workerId, code: why.code, message: why.message, exit: !exit ? 'still running' : exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`, stderrTail: child.stderrTail() });
}
