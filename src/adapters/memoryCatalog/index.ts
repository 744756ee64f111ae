export * from './memoryWorkerCatalog.js';
export * from './memoryCatalogModule.js';
