import { ContainerModule } from 'inversify';
import { WorkerCatalogPort } from '../../ports/workerCatalogPort.js';
import { MemoryWorkerCatalog } from './memoryWorkerCatalog.js';

/** Binds the in-process catalog (the default). Pass an instance to share it between Runtimes in a test. */
export function memoryCatalogModule(catalog: MemoryWorkerCatalog = new MemoryWorkerCatalog()): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(WorkerCatalogPort).toConstantValue(catalog);
  });
}
