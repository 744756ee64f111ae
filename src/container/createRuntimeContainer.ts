import { Container, ContainerModule } from 'inversify';
import { MemoryBusOptionsSchema, type MemoryBusOptions } from '../adapters/memoryBus/memoryBusOptions.js';
import { memoryBusModule } from '../adapters/memoryBus/memoryBusModule.js';
import { memoryCatalogModule } from '../adapters/memoryCatalog/memoryCatalogModule.js';
import { MemoryInputQueue } from '../adapters/memoryCatalog/memoryInputQueue.js';
import { systemModule } from '../adapters/system/systemModule.js';
import { RuntimeOptions, RuntimeOptionsSchema, type RuntimeOptionsInput } from '../application/runtimeOptions.js';
import { WorkerRuntime } from '../application/workerRuntime.js';
import { ExecutionBackendPort } from '../ports/executionBackendPort.js';
import { InputQueuePort } from '../ports/inputQueuePort.js';
import { ConfigError, type ConfigIssue } from './configError.js';

const BACKEND_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface RuntimeContainerOptions {
  /** Runtime options (profiles, deadlines, limits); parsed with zod, defaults applied. */
  runtime?: RuntimeOptionsInput;
  /** Options of the default in-memory bus. */
  memoryBus?: Partial<MemoryBusOptions>;
  /** A module binding both observation ports, replacing the memory bus. */
  bus?: ContainerModule;
  /**
   * A module binding WorkerCatalogPort, replacing the in-process catalog; it may bind InputQueuePort
   * too (the Redis catalog does). Without one, input queues live in this process.
   */
  catalog?: ContainerModule;
  /** Adapter modules, each binding one or more `ExecutionBackendPort`s. None: every Worker is unavailable. */
  backends?: readonly ContainerModule[];
  /** Further modules, loaded last. */
  modules?: readonly ContainerModule[];
}

/**
 * The composition root: the only place that chooses adapters. Options are parsed once here; a bad
 * option throws a ConfigError naming the field. Tests swap adapters with `container.rebind`.
 */
export function createRuntimeContainer(options: RuntimeContainerOptions = {}): Container {
  const runtime = RuntimeOptionsSchema.safeParse(options.runtime ?? {});
  if (!runtime.success) throw new ConfigError('runtime', runtime.error);
  const bus = MemoryBusOptionsSchema.safeParse(options.memoryBus ?? {});
  if (!bus.success) throw new ConfigError('memoryBus', bus.error);

  const container = new Container();
  container.load(
    systemModule(),
    options.bus ?? memoryBusModule(bus.data),
    options.catalog ?? memoryCatalogModule(),
    new ContainerModule(({ bind }) => {
      bind(RuntimeOptions).toConstantValue(runtime.data);
      bind(WorkerRuntime).toSelf().inSingletonScope();
    }),
    ...(options.backends ?? []),
    ...(options.modules ?? []),
  );
  if (!container.isBound(InputQueuePort)) container.bind(InputQueuePort).toConstantValue(new MemoryInputQueue());
  checkBackendIds(container);
  return container;
}

/**
 * Every bound backend has a distinct, usable `backendId`: two under one id would silently replace
 * each other (a profile names its backend by id). Resolves the backends, as the Runtime would.
 */
function checkBackendIds(container: Container): void {
  if (!container.isBound(ExecutionBackendPort)) return;
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  container.getAll(ExecutionBackendPort).forEach((backend, index) => {
    let id: unknown;
    try {
      id = backend.backendId;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string' || !BACKEND_ID.test(id)) issues.push({ path: [index, 'backendId'], message: 'a backend id is a string of 1-64 of A-Z a-z 0-9 . _ -' });
    else if (seen.has(id)) issues.push({ path: [index, 'backendId'], message: `backendId "${id}" is bound twice; each backend needs its own id` });
    else seen.add(id);
  });
  if (issues.length > 0) throw new ConfigError('backends', issues);
}
