export * from './byteTail.js';
export * from './childEnvironment.js';
export * from './processRegistry.js';
export * from './supervisedProcess.js';
export * from './within.js';
