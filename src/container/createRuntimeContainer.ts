import { Container, ContainerModule } from 'inversify';
import { MemoryBusOptionsSchema, type MemoryBusOptions } from '../adapters/memoryBus/memoryBusOptions.js';
import { memoryBusModule } from '../adapters/memoryBus/memoryBusModule.js';
import { memoryCatalogModule } from '../adapters/memoryCatalog/memoryCatalogModule.js';
import { systemModule } from '../adapters/system/systemModule.js';
import { RuntimeOptions, RuntimeOptionsSchema, type RuntimeOptionsInput } from '../application/runtimeOptions.js';
import { WorkerRuntime } from '../application/workerRuntime.js';
import { ConfigError } from './configError.js';

export interface RuntimeContainerOptions {
  /** Runtime options (profiles, deadlines, limits); parsed with zod, defaults applied. */
  runtime?: RuntimeOptionsInput;
  /** Options of the default in-memory bus. */
  memoryBus?: Partial<MemoryBusOptions>;
  /** A module binding both observation ports, replacing the memory bus. */
  bus?: ContainerModule;
  /** A module binding WorkerCatalogPort, replacing the in-process catalog. */
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
  return container;
}
