export * from './createHost.js';
export * from './hostConfig.js';
export * from './loadConfig.js';
export * from './httpSchemas.js';
export * from './statusOf.js';
export * from './openApi.js';
