export * from './domain/index.js';
export * from './ports/index.js';
export * from './application/index.js';
export * from './adapters/memoryBus/index.js';
export * from './adapters/memoryCatalog/index.js';
export * from './adapters/system/index.js';
export * from './container/index.js';
