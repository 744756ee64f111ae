import { ContainerModule } from 'inversify';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import type { RuntimeOptionsInput } from '../../src/application/runtimeOptions.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';

/** A secret planted in backend answers: it must never reach a browser-bound output. */
export const PLANTED = '/home/alice/.ssh/id_rsa';

type Answer = (...args: unknown[]) => unknown;

/** What each method of the HOSTILE double answers (a function of the call's arguments). Absent: the method is absent. */
export interface HostileAnswers {
  spawn?: Answer;
  dispatchInput?: Answer;
  restore?: Answer;
  stop?: Answer;
  cancel?: Answer;
  dispatchMethod?: Answer;
  snapshot?: Answer;
  dispose?: Answer;
}

/**
 * A HOSTILE execution backend double (tests only): every method answers whatever the test says
 * (wrong types, throwing getters, proxies, late answers), and it keeps every context it was handed.
 */
export class HostileBackend {
  readonly contexts = new Map<string, ExecutionContext>();
  readonly calls: string[] = [];
  readonly port: ExecutionBackendPort;

  constructor(answers: HostileAnswers, backendId = 'hostile') {
    const port: Record<string, unknown> = { backendId };
    port.spawn = (request: unknown, context: ExecutionContext, signal: AbortSignal) => {
      this.calls.push('spawn');
      this.contexts.set(context.worker.workerId, context);
      return (answers.spawn ?? readyAnswer)(request, context, signal);
    };
    port.dispatchInput = (...args: unknown[]) => {
      this.calls.push('dispatchInput');
      return (answers.dispatchInput ?? acceptAnswer)(...args);
    };
    for (const name of ['restore', 'stop', 'cancel', 'dispatchMethod', 'snapshot', 'dispose'] as const) {
      const answer = answers[name];
      if (!answer) continue;
      port[name] = (...args: unknown[]) => {
        this.calls.push(name);
        if (name === 'restore') this.contexts.set((args[1] as ExecutionContext).worker.workerId, args[1] as ExecutionContext);
        return answer(...args);
      };
    }
    this.port = port as unknown as ExecutionBackendPort;
  }

  context(workerId: string): ExecutionContext {
    const context = this.contexts.get(workerId);
    if (!context) throw new Error(`no context for ${workerId}`);
    return context;
  }
}

export const readyAnswer: Answer = (_request, context) =>
  Promise.resolve({ status: 'ready', handle: { id: (context as ExecutionContext).worker.workerId }, state: 'idle' });
export const acceptAnswer: Answer = (_handle, _input, submissionId) => Promise.resolve({ status: 'accepted', submissionId, state: 'busy' });
export const doneAnswer: Answer = () => Promise.resolve({ status: 'done' });

/** An object whose every property read throws an error carrying the planted secret (not a thenable: `then` reads as undefined). */
export function throwingGetters(): object {
  return hostileProxy(false);
}

/** The same, with a throwing `then` too: resolving a promise with it rejects. */
export function throwingThen(): object {
  return hostileProxy(true);
}

function hostileProxy(thenThrows: boolean): object {
  return new Proxy(
    {},
    {
      get: (_target, key) => {
        if (key === 'then' && !thenThrows) return undefined;
        throw new Error(`cannot read ${PLANTED}`);
      },
      has: () => true,
      ownKeys: () => {
        throw new Error(`cannot list ${PLANTED}`);
      },
    },
  );
}

/** A promise and the functions that settle it, for answers a test gives late. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A Runtime built by the real composition root around HOSTILE doubles (profiles named after their backend ids). */
export function hostileRuntime(backends: HostileBackend[], runtime: RuntimeOptionsInput = {}) {
  const container = createRuntimeContainer({
    runtime: {
      ...runtime,
      profiles: Object.fromEntries(backends.map((b) => [b.port.backendId, { backend: b.port.backendId }])),
      deadlines: { spawnMs: 100, dispatchMs: 100, stopMs: 100, cancelMs: 100, methodMs: 100, snapshotMs: 100, restoreMs: 100, ...runtime.deadlines },
    },
    backends: [new ContainerModule(({ bind }) => void backends.forEach((b) => bind(ExecutionBackendPort).toConstantValue(b.port)))],
  });
  const rt = container.get(WorkerRuntime);
  const bus = container.get(MemoryObservationBus);
  const stored = async (workerId: string) => {
    const page = await bus.read({ runtimeId: rt.runtimeId, workerId }, { limit: 1_000_000 });
    return page.status === 'ok' ? page.observations : [];
  };
  return { runtime: rt, bus, stored, container };
}

/** Lets pending promise jobs and immediate callbacks run. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
