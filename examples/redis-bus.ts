import { createRuntimeContainer } from 'worker-runtime';
import { redisBusModule, RedisObservationBus } from 'worker-runtime/redis';

const container = createRuntimeContainer({ bus: redisBusModule({ url: 'redis://127.0.0.1:6379', keyPrefix: 'wr:obs:' }) });
await container.get(RedisObservationBus).connect(); // rejects with RedisBusUnavailableError when Redis is unreachable
// ... serve ...
await container.get(RedisObservationBus).close();   // every subscription gets `end` `shutdown`
