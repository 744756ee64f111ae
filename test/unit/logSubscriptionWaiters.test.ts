import { describe, expect, it } from 'vitest';
import { LogStream } from '../../src/domain/stream/logStream.js';
import type { EntryCodec } from '../../src/domain/stream/streamFrames.js';
import { fixture } from '../support/fixture.js';

const codec: EntryCodec<{ cursor: string }> = { cursor: (e) => e.cursor, replayed: (e) => e };

describe('item 9: LogSubscription.next() called concurrently', () => {
  it('each caller gets its own entry, in call order; none is orphaned', async () => {
    const stream = new LogStream(16, codec);
    const subscription = stream.subscribe({ from: 1, queueLimit: 16 });
    const first = subscription.next();
    const second = subscription.next();
    const third = subscription.next();
    stream.append({ cursor: 'a' });
    stream.append({ cursor: 'b' });
    expect(await first).toEqual({ done: false, value: { cursor: 'a' } });
    expect(await second).toEqual({ done: false, value: { cursor: 'b' } });
    subscription.close();
    expect(await third).toEqual({ done: true, value: undefined });
  });

  it('waiters are served across the end of the stream: entries, then end, then done', async () => {
    const stream = new LogStream(16, codec);
    const subscription = stream.subscribe({ from: 1, queueLimit: 16 });
    const waits = [subscription.next(), subscription.next(), subscription.next()];
    stream.append({ cursor: 'a' });
    stream.end('shutdown');
    expect(await Promise.all(waits)).toEqual([
      { done: false, value: { cursor: 'a' } },
      { done: false, value: { type: 'end', reason: 'shutdown' } },
      { done: true, value: undefined },
    ]);
  });
});

describe("item 9: the lifecycle feed's subscriber queue is an option", () => {
  it('lifecycleSubscriberQueue bounds an unread lifecycle subscriber (lagged, then end)', async () => {
    const { runtime } = fixture({ runtime: { lifecycleSubscriberQueue: 2 } });
    const subscription = runtime.lifecycle();
    for (const id of ['a', 'b']) await runtime.create({ workerId: id, profile: 'none' });
    const frames = await subscription.nextBatch(100);
    expect(frames.map((f) => f.type)).toEqual(['lifecycle', 'lifecycle', 'lagged', 'end']);
    expect(await subscription.nextBatch(100)).toEqual([]);
  });

  it('a per-call queueLimit overrides it', async () => {
    const { runtime } = fixture({ runtime: { lifecycleSubscriberQueue: 2 } });
    const subscription = runtime.lifecycle(null, { queueLimit: 100 });
    for (const id of ['a', 'b', 'c']) await runtime.create({ workerId: id, profile: 'none' });
    expect((await subscription.nextBatch(100)).map((f) => f.type)).toEqual(Array(6).fill('lifecycle'));
    subscription.close();
  });
});
