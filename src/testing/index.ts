export * from '../adapters/fakeBackend/index.js';
export * from './frames.js';
export * from './backendHarness.js';
export * from './executionBackendConformance.js';
export * from './observationBusConformance.js';
