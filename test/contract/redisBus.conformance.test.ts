import { describe } from 'vitest';
import { describeObservationBusConformance } from '../../src/testing/index.js';
import { redisOrSkip } from '../support/redis.js';
import { connectedBus, deletePrefix, uniquePrefix } from '../support/redisBusFixture.js';

const url = await redisOrSkip();

describe.skipIf(!url)('RedisObservationBus (real Redis)', () => {
  describeObservationBusConformance({
    name: 'RedisObservationBus',
    create: async ({ retention, subscriberQueue }) => {
      const keyPrefix = uniquePrefix('conformance');
      const bus = await connectedBus({ url: url!, keyPrefix, retentionPerWorker: retention, subscriberQueue });
      return {
        publisher: bus,
        reader: bus,
        dispose: async () => {
          await bus.close();
          await deletePrefix(url!, keyPrefix);
        },
      };
    },
    // Retention is cut to exactly `retentionPerWorker` on read, whatever `MAXLEN ~` kept.
    capabilities: { exactRetention: true },
  });
});
