import type { LifecycleItem } from '../application/lifecycleFeed.js';
import type { WorkerRuntime } from '../application/workerRuntime.js';
import type { LifecycleChange, WorkerProjection } from '../domain/projection.js';
import type { WorkerState } from '../domain/workerState.js';

/** The logger calls the Worker log uses (pino's, as fastify's `app.log` has them). */
export interface WorkerLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

type Level = keyof WorkerLogger;

/** Routine run-state moves, logged at debug so that info shows what an operator acts on. */
const ROUTINE: ReadonlySet<WorkerState> = new Set(['idle', 'busy', 'paused', 'starting', 'stopping']);

/**
 * Logs every Worker lifecycle change server-side: created, removed and stopped at info, a Worker that
 * becomes `unavailable` at warn and `errored` at error, each with its diagnostic (code and message, as
 * sanitised for browsers: no tokens, environment values or paths); run-state moves at debug. Reads the
 * Runtime's lifecycle feed like any subscriber; ends with the Runtime. Returns a stop function.
 */
export function logWorkerLifecycle(runtime: WorkerRuntime, log: WorkerLogger): () => void {
  const known = new Map<string, WorkerProjection>();
  let subscription = runtime.lifecycle();
  let stopped = false;
  void (async () => {
    for (;;) {
      const frames: LifecycleItem[] = await subscription.nextBatch();
      if (frames.length === 0) return;
      for (const frame of frames) {
        if (frame.type === 'lifecycle') note(log, known, frame.change);
        else if (frame.type === 'lagged' && !stopped) {
          subscription = runtime.lifecycle(frame.resumeAfter);
          break;
        } else if (frame.type === 'expired') log.warn({ oldest: frame.oldest }, 'some Worker changes were not logged (the lifecycle feed moved past them)');
        else if (frame.type === 'end') return;
      }
    }
  })().catch((error: unknown) => log.error({ err: { message: (error as Error).message } }, 'the Worker log stopped'));
  return () => {
    stopped = true;
    subscription.close();
  };
}

function note(log: WorkerLogger, known: Map<string, WorkerProjection>, change: LifecycleChange): void {
  const worker = change.worker;
  const before = known.get(worker.workerId);
  if (change.type === 'worker_removed') {
    known.delete(worker.workerId);
    log.info(fieldsOf(worker, before), `Worker ${worker.workerId} removed`);
    return;
  }
  known.set(worker.workerId, worker);
  if (change.type === 'input_queued' || change.type === 'input_settled') {
    const what = change.type === 'input_queued' ? `input queued at ${change.entry.position}` : `queued input ${change.settlement.outcome} (${change.settlement.reason})`;
    log.debug({ worker: worker.workerId, queue: worker.queue.length }, `Worker ${worker.workerId}: ${what}`);
    return;
  }
  if (change.type === 'worker_changed' && before?.state === worker.state && sameDiagnostic(before, worker)) return;
  const [level, message] = describe(change.type, worker, before);
  log[level](fieldsOf(worker, before), message);
}

function describe(type: LifecycleChange['type'], worker: WorkerProjection, before: WorkerProjection | undefined): [Level, string] {
  const id = `Worker ${worker.workerId} (profile ${worker.profile})`;
  const why = worker.diagnostic ? `: ${worker.diagnostic.code}: ${worker.diagnostic.message}` : '';
  if (worker.state === 'unavailable') return ['warn', `${id} is unavailable${why}`];
  if (worker.state === 'errored') return ['error', `${id} errored${why}`];
  if (type === 'worker_created') return [ROUTINE.has(worker.state) && worker.state !== 'idle' ? 'debug' : 'info', `${id} created, ${worker.state}`];
  if (worker.state === 'stopped') return ['info', `${id} stopped`];
  if (before?.state === 'starting' && (worker.state === 'idle' || worker.state === 'busy' || worker.state === 'paused')) {
    return ['info', `${id} started, ${worker.state}`];
  }
  if (before && (before.state === 'unavailable' || before.state === 'errored')) return ['info', `${id} is connected again, ${worker.state}`];
  return ['debug', `${id} ${before ? `${before.state} -> ` : ''}${worker.state}`];
}

function fieldsOf(worker: WorkerProjection, before: WorkerProjection | undefined): object {
  return {
    worker: worker.workerId,
    profile: worker.profile,
    state: worker.state,
    ...(before && before.state !== worker.state ? { from: before.state } : {}),
    generation: worker.runGeneration,
    ...(worker.diagnostic ? { diagnostic: { code: worker.diagnostic.code, severity: worker.diagnostic.severity } } : {}),
  };
}

function sameDiagnostic(a: WorkerProjection, b: WorkerProjection): boolean {
  return a.diagnostic?.code === b.diagnostic?.code && a.diagnostic?.message === b.diagnostic?.message;
}
