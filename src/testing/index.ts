export * from '../adapters/fakeBackend/index.js';
