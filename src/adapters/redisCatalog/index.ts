export * from './redisWorkerCatalog.js';
export * from './redisCatalogModule.js';
