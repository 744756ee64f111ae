export * from './systemClock.js';
export * from './randomIds.js';
export * from './systemModule.js';
