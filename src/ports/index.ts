export * from './executionBackendPort.js';
export * from './executionContext.js';
export * from './observationPublisherPort.js';
export * from './observationReaderPort.js';
export * from './clockPort.js';
export * from './idPort.js';
export * from './workerCatalogPort.js';
export * from './inputQueuePort.js';
