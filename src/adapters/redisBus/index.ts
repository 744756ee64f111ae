export * from './redisObservationBus.js';
export * from './redisBusOptions.js';
export * from './redisBusModule.js';
export { RedisBusUnavailableError } from './redisClients.js';
export { streamKeys, type StreamKeys } from './redisKeys.js';
