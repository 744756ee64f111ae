/**
 * What the two relay benchmarks (ACP, worker bridge) share: a batch reader of one subscription, a timed
 * relay run, and the in-process bound (the same events published through a Worker's context, no agent, no socket).
 */
import type { FakeExecutionBackend } from 'worker-runtime/testing';
import type { ObservationFrame, ObservationSubscription, WorkerRuntime } from 'worker-runtime';
import { now, sanity } from './lib.js';

/** Frames from one subscription, in batches when the bus offers them. */
export function reader(subscription: ObservationSubscription): () => Promise<ObservationFrame[]> {
  if (subscription.nextBatch) return () => subscription.nextBatch!(4096);
  const iterator = subscription[Symbol.asyncIterator]();
  return async () => {
    const { value, done } = await iterator.next();
    return done ? [] : [value];
  };
}

/** The same N text_deltas published through a Worker's context in process (fake backend), awaited one by one, until a subscriber has them all. */
export async function inProcessPublish(runtime: WorkerRuntime, fake: FakeExecutionBackend, n: number) {
  await runtime.create({ workerId: 'inproc', profile: 'fake' });
  const observed = runtime.observe('inproc', { queueLimit: 10 * n });
  sanity(observed.ok, 'observe');
  const next = reader(observed.subscription);
  const run = async (): Promise<number> => {
    const events = Array.from({ length: n }, (_, i) => ({ event: 'text_delta', data: { text: `c${i} ` } }));
    const start = now();
    const reading = (async () => {
      for (let received = 0; received < n; ) {
        for (const frame of await next()) if (frame.type === 'observation') sanity(frame.observation.event.data?.text === `c${received++} `, 'in-process order');
      }
    })();
    for (const event of events) await fake.publish('inproc', event);
    await reading;
    return n / ((now() - start) / 1000);
  };
  return { run, close: () => runtime.shutdown() };
}

/** One run over the Worker `relay`: submits `content` (which asks for N chunks), reads the N text_deltas in order (timed), then up to `status idle`. */
export async function relayRun(runtime: WorkerRuntime, next: () => Promise<ObservationFrame[]>, n: number, content: string): Promise<number> {
  const start = now();
  const result = await runtime.submitInput('relay', { kind: 'user', segments: [{ kind: 'text', content }] });
  sanity(result.outcome === 'accepted', `input ${result.reason}`);
  let received = 0;
  let elapsed = 0;
  for (let idle = false; !idle; ) {
    const frames = await next();
    sanity(frames.length > 0, 'the subscription ended');
    for (const frame of frames) {
      sanity(frame.type === 'observation', `unexpected ${frame.type} frame`);
      const event = frame.observation.event;
      if (event.event === 'text_delta') {
        sanity(event.data?.text === `c${received} `, `event ${received} out of order`);
        if (++received === n) elapsed = now() - start;
      }
      if (event.event === 'status' && event.data?.status === 'idle') idle = true;
    }
  }
  sanity(received === n, `received ${received} of ${n}`);
  return n / (elapsed / 1000);
}
