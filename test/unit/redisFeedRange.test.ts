import { describe, expect, it } from 'vitest';
import { RedisFeed, type FeedReader } from '../../src/adapters/redisBus/redisFeed.js';
import type { SubscriptionPage } from '../../src/adapters/redisBus/redisSubscriptionFeed.js';
import { streamKeys } from '../../src/adapters/redisBus/redisKeys.js';
import type { BusScripts, RangeReply } from '../../src/adapters/redisBus/redisScripts.js';
import { StreamState } from '../../src/adapters/redisBus/redisStreamState.js';

const worker = { runtimeId: 'r', workerId: 'w' };
const payload = (n: number) => JSON.stringify({ publishedAt: 1, event: { event: 'text_delta', data: { text: `t${n}` } }, history: false });

describe('RedisFeed.range', () => {
  it('subscribers catching up from the same place share one read; a later read asks Redis again', async () => {
    const calls: [number, number][] = [];
    const releases: (() => void)[] = [];
    const scripts = {
      range: (_keys: unknown, from: number, to: number): Promise<RangeReply> => {
        calls.push([from, to]);
        const raws = Array.from({ length: to - from + 1 }, (_, i): [string, string[]] => [`${from + i}-0`, ['e1', payload(from + i)]]);
        return new Promise((resolve) => void releases.push(() => resolve({ epoch: 'e1', head: 10, first: 1, raws })));
      },
    } as unknown as BusScripts;
    const reader: FeedReader = { requestSync: () => undefined, remove: () => undefined };
    const feed = new RedisFeed(worker, new StreamState(streamKeys('p:', worker)), { epoch: 'e1', head: 10, first: 1 }, reader, scripts, 100);
    const pages = [feed.range(1, 5), feed.range(1, 5), feed.range(2, 5)];
    expect(calls).toEqual([
      [1, 5],
      [2, 5],
    ]);
    for (const release of releases) release();
    const [a, b, c] = (await Promise.all(pages)) as [SubscriptionPage, SubscriptionPage, SubscriptionPage];
    expect(b).toBe(a);
    expect(a.items.map((item) => (item.type === 'observation' ? item.observation.sequence : null))).toEqual([1, 2, 3, 4, 5]);
    expect(c.items).toHaveLength(4);
    await new Promise((resolve) => setImmediate(resolve));
    void feed.range(1, 5);
    expect(calls).toHaveLength(3);
  });
});
