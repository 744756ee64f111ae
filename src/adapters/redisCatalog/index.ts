export * from './redisWorkerCatalog.js';
export * from './redisCatalogModule.js';
export * from './redisInputQueue.js';
