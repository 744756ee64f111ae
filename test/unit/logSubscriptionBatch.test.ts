import { describe, expect, it } from 'vitest';
import { LogStream } from '../../src/domain/stream/logStream.js';

const codec = { cursor: (n: number) => `c${n}`, replayed: (n: number) => n };

describe('LogSubscription.nextBatch', () => {
  it('returns everything available at once, then waits for the next entries', async () => {
    const stream = new LogStream<number>(100, codec);
    const subscription = stream.subscribe({ from: 1, queueLimit: 100 });
    for (const n of [1, 2, 3]) stream.append(n);
    expect(await subscription.nextBatch()).toEqual([1, 2, 3]);
    const waiting = subscription.nextBatch();
    stream.append(4);
    stream.append(5);
    expect(await waiting).toEqual([4, 5]);
  });

  it('respects max, ends with the end frame and then an empty batch', async () => {
    const stream = new LogStream<number>(100, codec);
    const subscription = stream.subscribe({ from: 1, queueLimit: 100 });
    for (const n of [1, 2, 3]) stream.append(n);
    stream.end('shutdown');
    expect(await subscription.nextBatch(2)).toEqual([1, 2]);
    expect(await subscription.nextBatch(5)).toEqual([3, { type: 'end', reason: 'shutdown' }]);
    expect(await subscription.nextBatch()).toEqual([]);
  });
});
