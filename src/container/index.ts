export * from './createRuntimeContainer.js';
export * from './configError.js';
