import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import type { ObservationFrame, ObservationSubscription } from '../domain/observation.js';
import type { ProtocolEvent } from '../domain/protocolEvent.js';
import type { WorkerRef } from '../domain/workerRef.js';
import type { ObservationPublisherPort } from '../ports/observationPublisherPort.js';
import type { ObservationReaderPort } from '../ports/observationReaderPort.js';
import { delay, describeFrames, sequences, takeFrames, takeUntil } from './frames.js';
import { vitestFor } from './vitestApi.js';

/** One bus instance under test. Publisher and reader may be the same object. */
export interface BusUnderTest {
  readonly publisher: ObservationPublisherPort;
  readonly reader: ObservationReaderPort;
  /** Releases connections and data (the suite calls it after each test). */
  dispose(): Promise<void>;
}

export interface ObservationBusConformanceOptions {
  /** Shown in the suite's title. */
  readonly name: string;
  /**
   * Makes a fresh, empty bus retaining exactly `retention` observations per Worker (the suite asks for
   * small numbers) and giving subscribers a default queue of `subscriberQueue`.
   */
  create(settings: { retention: number; subscriberQueue: number }): Promise<BusUnderTest> | BusUnderTest;
  readonly capabilities?: {
    /** Retention is exact (memory) rather than approximate (`MAXLEN ~`): eviction tests assert exact bounds. */
    readonly exactRetention?: boolean;
    /**
     * Subscriptions offer `nextBatch` (default true): the host's stream pump then writes many frames per
     * wake-up. The suite holds it to the same frames as iteration, in batches of at most `max`.
     */
    readonly nextBatch?: boolean;
  };
  /** The test runner's timeout for each case and hook (ms, default 20000: above the suite's own 5 s waits). */
  readonly testTimeoutMs?: number;
}

let unique = 0;
const text = (n: number): ProtocolEvent => ({ event: 'text_delta', data: { text: `t${n}` } });

/**
 * The exported contract suite for observation buses (ObservationPublisherPort + ObservationReaderPort).
 * Run it against every bus adapter; it skips by declared capability, never by adapter name.
 */
export function describeObservationBusConformance(options: ObservationBusConformanceOptions): void {
  const { afterEach, beforeEach, describe, expect, it } = vitestFor('describeObservationBusConformance');
  const exact = options.capabilities?.exactRetention ?? false;
  const batches = options.capabilities?.nextBatch ?? true;
  const timeout = options.testTimeoutMs ?? 20_000;

  describe(`observation bus conformance: ${options.name}`, () => {
    let bus: BusUnderTest;
    let worker: WorkerRef;
    const retention = 50;
    const subscriberQueue = 8;

    beforeEach(async () => {
      bus = await options.create({ retention, subscriberQueue });
      worker = { runtimeId: 'conformance', workerId: `w${process.pid}-${Date.now()}-${unique++}` };
    }, timeout);
    afterEach(async () => {
      await bus.dispose();
    }, timeout);

    const publishMany = async (ref: WorkerRef, from: number, to: number) => {
      const cursors: string[] = [];
      for (let n = from; n <= to; n++) {
        const published = await bus.publisher.publish(ref, text(n));
        if (!published.ok) throw new Error(`publish failed: ${published.message}`);
        cursors.push(published.cursor);
      }
      return cursors;
    };
    const textsOf = (frames: ObservationFrame[]) =>
      frames.flatMap((f) => (f.type === 'observation' ? [String(f.observation.event.data?.text)] : []));

    it('assigns per-Worker sequences from 1, strictly increasing, independent per Worker', async () => {
      const other = { ...worker, workerId: `${worker.workerId}-b` };
      const a = await bus.publisher.publish(worker, text(1));
      const b = await bus.publisher.publish(other, text(1));
      const c = await bus.publisher.publish(worker, text(2));
      expect([a.ok && a.sequence, b.ok && b.sequence, c.ok && c.sequence]).toEqual([1, 1, 2]);
      expect(a.ok && c.ok && a.cursor !== c.cursor).toBe(true);
    }, timeout);

    it('a subscriber without a cursor gets every retained observation (marked replayed), then live ones', async () => {
      await publishMany(worker, 1, 3);
      const subscription = bus.reader.subscribe(worker);
      const replay = await takeFrames(subscription, 3);
      await publishMany(worker, 4, 5);
      const live = await takeFrames(subscription, 2);
      subscription.close();
      expect(textsOf([...replay, ...live])).toEqual(['t1', 't2', 't3', 't4', 't5']);
      expect(replay.every((f) => f.type === 'observation' && f.replayed)).toBe(true);
      expect(live.every((f) => f.type === 'observation' && !f.replayed)).toBe(true);
    }, timeout);

    it('resumes exactly after a cursor across the replay-to-live switch: no gap, no duplicate', async () => {
      const cursors = await publishMany(worker, 1, 10);
      const subscription = bus.reader.subscribe(worker, { after: cursors[3], queueLimit: 100 });
      const first = await takeFrames(subscription, 2);
      const racing = publishMany(worker, 11, 20);
      const rest = await takeFrames(subscription, 14);
      await racing;
      subscription.close();
      expect(sequences([...first, ...rest])).toEqual(Array.from({ length: 16 }, (_, i) => i + 5));
    }, timeout);

    it('observation cursors resume after themselves', async () => {
      await publishMany(worker, 1, 4);
      const frames = await takeFrames(bus.reader.subscribe(worker), 4);
      const second = frames[1]!;
      if (second.type !== 'observation') throw new Error('expected an observation');
      const resumed = bus.reader.subscribe(worker, { after: second.observation.cursor });
      expect(sequences(await takeFrames(resumed, 2))).toEqual([3, 4]);
      resumed.close();
    }, timeout);

    it('a cursor from another Worker gets an explicit reset, then the stream from its start', async () => {
      const other = { ...worker, workerId: `${worker.workerId}-other` };
      const [foreign] = await publishMany(other, 1, 1);
      await publishMany(worker, 1, 2);
      const subscription = bus.reader.subscribe(worker, { after: foreign });
      const frames = await takeFrames(subscription, 3);
      subscription.close();
      expect(frames[0]?.type).toBe('reset');
      expect(sequences(frames)).toEqual([1, 2]);
    }, timeout);

    it('a cursor of an unknown epoch or from the future gets reset', async () => {
      const [first] = await publishMany(worker, 1, 2);
      const position = decodeCursor(first!);
      const future = encodeCursor(position!.epoch, 99);
      const stale = encodeCursor('someOtherEpoch', 1);
      for (const after of [future, stale]) {
        const subscription = bus.reader.subscribe(worker, { after });
        const frames = await takeFrames(subscription, 1);
        subscription.close();
        expect(frames[0]).toMatchObject({ type: 'reset', requested: after });
      }
    }, timeout);

    it('a cursor older than retention gets expired naming the oldest cursor, then continues from there', async () => {
      const cursors = await publishMany(worker, 1, retention + 20);
      const subscription = bus.reader.subscribe(worker, { after: cursors[0] });
      const frames = await takeFrames(subscription, 2);
      subscription.close();
      expect(frames[0]?.type).toBe('expired');
      const expired = frames[0] as Extract<ObservationFrame, { type: 'expired' }>;
      const oldest = frames[1] as Extract<ObservationFrame, { type: 'observation' }>;
      expect(expired.oldest).toBe(oldest.observation.cursor);
      expect(oldest.observation.sequence).toBeGreaterThan(2);
      if (exact) expect(oldest.observation.sequence).toBe(21);
    }, timeout);

    it('a slow subscriber gets lagged with its resume cursor and ends; resuming from it loses nothing', async () => {
      const subscription = bus.reader.subscribe(worker, { queueLimit: 4 });
      await publishMany(worker, 1, 30);
      const frames = await takeUntil(subscription, (f) => f.type === 'end', 5_000, 'lagged then end: a subscriber that reads nothing while 30 events arrive past its queue of 4');
      const lagged = frames.find((f) => f.type === 'lagged') as Extract<ObservationFrame, { type: 'lagged' }>;
      expect(lagged).toBeDefined();
      expect(frames.at(-1)).toEqual({ type: 'end', reason: 'lagged' });
      const delivered = sequences(frames);
      expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1));
      const resumed = bus.reader.subscribe(worker, { after: lagged.resumeAfter });
      const rest = await takeFrames(resumed, 30 - delivered.length);
      resumed.close();
      expect([...delivered, ...sequences(rest)]).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }, timeout);

    it('producers never wait for a subscriber that does not read', async () => {
      const idle = bus.reader.subscribe(worker, { queueLimit: 2 });
      const started = Date.now();
      await publishMany(worker, 1, 500);
      expect(Date.now() - started).toBeLessThan(4_000);
      idle.close();
    }, timeout);

    it("one chatty Worker never evicts another Worker's history", async () => {
      const quiet = { ...worker, workerId: `${worker.workerId}-quiet` };
      await publishMany(quiet, 1, 3);
      await publishMany(worker, 1, retention * 3);
      const subscription = bus.reader.subscribe(quiet);
      expect(sequences(await takeFrames(subscription, 3))).toEqual([1, 2, 3]);
      subscription.close();
    }, timeout);

    it('read pages retained observations after a cursor and reports expired and reset explicitly', async () => {
      const cursors = await publishMany(worker, 1, 10);
      const page = await bus.reader.read(worker, { after: cursors[1], limit: 3 });
      expect(page.status).toBe('ok');
      if (page.status !== 'ok') return;
      expect(page.observations.map((o) => o.sequence)).toEqual([3, 4, 5]);
      expect(page.next).toBe(page.observations[2]!.cursor);
      expect((await bus.reader.read(worker, { after: encodeCursor('elsewhere', 1), limit: 3 })).status).toBe('reset');
      await publishMany(worker, 11, retention + 40);
      expect((await bus.reader.read(worker, { after: cursors[0], limit: 3 })).status).toBe('expired');
    }, timeout);

    /** Batches until one holds `end` or the subscription is over; every batch non-empty and within `max`. */
    const batchesUntilEnd = async (subscription: ObservationSubscription, max: number): Promise<ObservationFrame[][]> => {
      const out: ObservationFrame[][] = [];
      const deadline = Date.now() + 5_000;
      for (;;) {
        const batch = await withDeadline(subscription.nextBatch!(max), deadline, `a batch (received so far: ${describeFrames(out.flat())})`);
        if (batch.length === 0) return out;
        expect(batch.length).toBeLessThanOrEqual(max);
        out.push(batch);
        const end = batch.findIndex((f) => f.type === 'end');
        if (end >= 0) {
          expect(end).toBe(batch.length - 1); // nothing after `end`
          return out;
        }
      }
    };

    it.skipIf(!batches)('nextBatch takes what is available up to max, then waits for live frames', async () => {
      await publishMany(worker, 1, 3);
      const subscription = bus.reader.subscribe(worker, { queueLimit: 100 });
      expect(typeof subscription.nextBatch).toBe('function');
      const first = await withDeadline(subscription.nextBatch!(2), Date.now() + 5_000, 'the first batch');
      expect(sequences(first)).toEqual([1, 2]);
      expect(await withDeadline(subscription.nextBatch!(10), Date.now() + 5_000, 'the rest of the replay')).toMatchObject([{ type: 'observation', replayed: true, observation: { sequence: 3 } }]);
      const waiting = subscription.nextBatch!(10);
      await publishMany(worker, 4, 6);
      const live: ObservationFrame[] = [...(await withDeadline(waiting, Date.now() + 5_000, 'live frames'))];
      while (live.length < 3) live.push(...(await withDeadline(subscription.nextBatch!(10), Date.now() + 5_000, 'more live frames')));
      expect(sequences(live)).toEqual([4, 5, 6]);
      expect(live.every((f) => f.type === 'observation' && !f.replayed)).toBe(true);
      subscription.close();
      expect(await withDeadline(subscription.nextBatch!(10), Date.now() + 5_000, 'the batch after close')).toEqual([]);
    }, timeout);

    it.skipIf(!batches)('nextBatch delivers what iteration does: resume after a cursor, then end, then an empty batch', async () => {
      const cursors = await publishMany(worker, 1, 12);
      const subscription = bus.reader.subscribe(worker, { after: cursors[4], queueLimit: 100 });
      const racing = publishMany(worker, 13, 20);
      const got: ObservationFrame[] = [];
      while (sequences(got).at(-1) !== 20) got.push(...(await withDeadline(subscription.nextBatch!(3), Date.now() + 5_000, 'frames up to 20')));
      await racing;
      expect(sequences(got)).toEqual(Array.from({ length: 15 }, (_, i) => i + 6));
      await bus.reader.drop(worker, 'worker_removed');
      const rest = (await batchesUntilEnd(subscription, 3)).flat();
      expect(rest).toEqual([{ type: 'end', reason: 'worker_removed' }]);
      expect(await withDeadline(subscription.nextBatch!(3), Date.now() + 5_000, 'the batch after end')).toEqual([]);
    }, timeout);

    it.skipIf(!batches)('nextBatch of a slow subscriber: what it had queued, lagged, end, then an empty batch', async () => {
      const subscription = bus.reader.subscribe(worker, { queueLimit: 4 });
      await publishMany(worker, 1, 30);
      const frames = (await batchesUntilEnd(subscription, 2)).flat();
      expect(frames.at(-1)).toEqual({ type: 'end', reason: 'lagged' });
      expect(frames.at(-2)?.type).toBe('lagged');
      const delivered = sequences(frames);
      expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1));
      const lagged = frames.at(-2) as Extract<ObservationFrame, { type: 'lagged' }>;
      expect(lagged.resumeAfter).toBe(delivered.length > 0 ? (frames[delivered.length - 1] as Extract<ObservationFrame, { type: 'observation' }>).observation.cursor : null);
      expect(await withDeadline(subscription.nextBatch!(2), Date.now() + 5_000, 'the batch after end')).toEqual([]);
    }, timeout);

    it('carries history marks and the event unchanged', async () => {
      const event: ProtocolEvent = { event: 'tool_result', data: { id: 'x', summary: 'ok', is_error: false, output: { n: [1, 2] } } };
      await bus.publisher.publish(worker, event, { history: true });
      const [frame] = await takeFrames(bus.reader.subscribe(worker), 1);
      expect(frame).toMatchObject({ type: 'observation', observation: { event, history: true, sequence: 1, worker } });
    }, timeout);

    it('drop ends the Worker\'s subscriptions with worker_removed', async () => {
      await publishMany(worker, 1, 1);
      const subscription = bus.reader.subscribe(worker);
      await takeFrames(subscription, 1);
      await bus.reader.drop(worker, 'worker_removed');
      expect(await takeFrames(subscription, 1)).toEqual([{ type: 'end', reason: 'worker_removed' }]);
    }, timeout);

    it('close ends every subscription with a final frame and refuses later publishes', async () => {
      const subscription = bus.reader.subscribe(worker);
      await publishMany(worker, 1, 2);
      await bus.reader.close();
      const frames = await takeUntil(subscription, (f) => f.type === 'end', 5_000, 'the final end frame after close');
      expect(frames.at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
      const late = await bus.publisher.publish(worker, text(3));
      expect(late).toMatchObject({ ok: false, reason: 'bus_error' });
    }, timeout);
  });
}

/** `promise`, or a failure naming `what` once `deadline` (epoch ms) passes: a broken adapter fails instead of hanging. */
async function withDeadline<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  const late = Symbol('late');
  const result = await Promise.race([promise, delay(Math.max(0, deadline - Date.now())).then(() => late)]);
  if (result === late) throw new Error(`timed out waiting for ${what}`);
  return result as T;
}
