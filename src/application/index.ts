export * from './workerRuntime.js';
export * from './runtimeOptions.js';
export * from './lifecycleFeed.js';
export { withDeadline, type Settled } from './deadline.js';
