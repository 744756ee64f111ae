export * from './memoryObservationBus.js';
export * from './memoryBusOptions.js';
export * from './memoryBusModule.js';
export * from './observationCost.js';
