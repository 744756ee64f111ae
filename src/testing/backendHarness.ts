import { ContainerModule } from 'inversify';
import type { RuntimeOptionsInput } from '../application/runtimeOptions.js';
import { WorkerRuntime } from '../application/workerRuntime.js';
import { createRuntimeContainer } from '../container/createRuntimeContainer.js';
import { ExecutionBackendPort } from '../ports/executionBackendPort.js';

/** A gate a test opens when it is ready: calls held at it wait until then. */
export class Gate {
  private opened = false;
  private readonly waiters: (() => void)[] = [];

  get isOpen(): boolean {
    return this.opened;
  }

  wait(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  open(): void {
    this.opened = true;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

const OPTIONAL = ['restore', 'stop', 'cancel', 'dispatchMethod', 'snapshot', 'decide', 'dispose'] as const;

/**
 * Wraps a backend so a test can hold `spawn` or `stop` at a gate (to observe the `starting` and
 * `stopping` states with any adapter). Optional methods the backend lacks stay absent.
 */
export function gatedBackend(backend: ExecutionBackendPort, gates: { spawn?: Gate; stop?: Gate }): ExecutionBackendPort {
  const wrapped: Record<string, unknown> = {
    backendId: backend.backendId,
    spawn: async (...args: Parameters<ExecutionBackendPort['spawn']>) => {
      await gates.spawn?.wait();
      return backend.spawn(...args);
    },
    dispatchInput: (...args: Parameters<ExecutionBackendPort['dispatchInput']>) => backend.dispatchInput(...args),
  };
  for (const name of OPTIONAL) {
    const method = backend[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (!method) continue;
    wrapped[name] =
      name === 'stop'
        ? async (...args: unknown[]) => {
            await gates.stop?.wait();
            return method.apply(backend, args);
          }
        : (...args: unknown[]) => method.apply(backend, args);
  }
  return wrapped as unknown as ExecutionBackendPort;
}

/** A WorkerRuntime wired by the real composition root around one backend, with profile `test`. */
export function runtimeAround(
  backend: ExecutionBackendPort,
  options: { profileOptions?: unknown; runtime?: RuntimeOptionsInput; retention?: number } = {},
): WorkerRuntime {
  const container = createRuntimeContainer({
    runtime: {
      ...options.runtime,
      profiles: { test: { backend: backend.backendId, options: options.profileOptions }, ...options.runtime?.profiles },
    },
    memoryBus: { retentionPerWorker: options.retention ?? 10_000 },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  return container.get(WorkerRuntime);
}
