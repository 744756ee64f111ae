import { ContainerModule } from 'inversify';
import { InputQueuePort } from '../../ports/inputQueuePort.js';
import { WorkerCatalogPort } from '../../ports/workerCatalogPort.js';
import { MemoryInputQueue } from './memoryInputQueue.js';
import { MemoryWorkerCatalog } from './memoryWorkerCatalog.js';

/**
 * Binds the in-process catalog (the default) and the in-process input queues. Pass instances to share
 * them between Runtimes in a test.
 */
export function memoryCatalogModule(catalog: MemoryWorkerCatalog = new MemoryWorkerCatalog(), queue: MemoryInputQueue = new MemoryInputQueue()): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(WorkerCatalogPort).toConstantValue(catalog);
    bind(InputQueuePort).toConstantValue(queue);
  });
}
