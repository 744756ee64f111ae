import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { describeObservationBusConformance } from '../../src/testing/index.js';

describeObservationBusConformance({
  name: 'MemoryObservationBus',
  create: ({ retention, subscriberQueue }) => {
    const bus = new MemoryObservationBus({ retentionPerWorker: retention, subscriberQueue }, new SystemClock(), new RandomIds());
    return { publisher: bus, reader: bus, dispose: () => bus.close() };
  },
  capabilities: { exactRetention: true },
});
