export * from './memoryWorkerCatalog.js';
export * from './memoryInputQueue.js';
export * from './memoryCatalogModule.js';
