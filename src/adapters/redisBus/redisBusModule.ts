import { ContainerModule } from 'inversify';
import { ObservationPublisherPort } from '../../ports/observationPublisherPort.js';
import { ObservationReaderPort } from '../../ports/observationReaderPort.js';
import { RedisBusOptions, RedisBusOptionsSchema, type RedisBusOptionsInput } from './redisBusOptions.js';
import { RedisObservationBus } from './redisObservationBus.js';

/**
 * Binds the Redis bus as both the publishing and the reading side (one instance). Options are parsed
 * here (a bad one throws a ZodError naming the field). Nothing connects while the container is built:
 * the host awaits `container.get(RedisObservationBus).connect()` before serving, which rejects with
 * RedisBusUnavailableError when Redis is unreachable, and calls the reader's `close()` at shutdown.
 */
export function redisBusModule(options: RedisBusOptionsInput = {}): ContainerModule {
  const parsed = RedisBusOptionsSchema.parse(options);
  return new ContainerModule(({ bind }) => {
    bind(RedisBusOptions).toConstantValue(parsed);
    bind(RedisObservationBus).toSelf().inSingletonScope();
    bind(ObservationPublisherPort).toService(RedisObservationBus);
    bind(ObservationReaderPort).toService(RedisObservationBus);
  });
}
