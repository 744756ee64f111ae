import { ContainerModule } from 'inversify';
import { ObservationPublisherPort } from '../../ports/observationPublisherPort.js';
import { ObservationReaderPort } from '../../ports/observationReaderPort.js';
import { MemoryBusOptions, MemoryBusOptionsSchema, type MemoryBusOptions as Options } from './memoryBusOptions.js';
import { MemoryObservationBus } from './memoryObservationBus.js';

/** Binds the in-memory bus as both the publishing and the reading side (one instance). */
export function memoryBusModule(options: Partial<Options> = {}): ContainerModule {
  const parsed = MemoryBusOptionsSchema.parse(options);
  return new ContainerModule(({ bind }) => {
    bind(MemoryBusOptions).toConstantValue(parsed);
    bind(MemoryObservationBus).toSelf().inSingletonScope();
    bind(ObservationPublisherPort).toService(MemoryObservationBus);
    bind(ObservationReaderPort).toService(MemoryObservationBus);
  });
}
