import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisObservationBus } from '../../src/adapters/redisBus/index.js';
import { decodeCursor } from '../../src/domain/cursor.js';
import type { ObservationFrame } from '../../src/domain/observation.js';
import type { PublishResult } from '../../src/ports/executionContext.js';
import { delay, takeFrames } from '../../src/testing/frames.js';
import { connectedBus } from '../support/redisBusFixture.js';
import { commandRate, CursorLedger, expectContiguous, note, record, textOf, until } from '../support/redisFaultChecks.js';
import { canSpawnRedis, PrivateRedis } from '../support/redisServer.js';

// Entries the bus did not write (or cannot read) are planted straight into a private redis-server.
const spawnable = await canSpawnRedis();
if (!spawnable && process.env.CI) throw new Error('redis-server is required in CI for the Redis fault tests');

const ref = (workerId = 'w') => ({ runtimeId: 'rt', workerId });
const LOG = (id = 'w') => `faults:{rt:${id}}:log`;
const META = (id = 'w') => `faults:{rt:${id}}:meta`;
const names = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
const seqs = (frames: ObservationFrame[]) => frames.map((f) => (f.type === 'observation' ? f.observation.sequence : f.type === 'gap' ? `${f.from}-${f.to}:${f.reason}` : f.type));

describe.skipIf(!spawnable)('Redis bus: poison entries never wedge a stream nor spin a reader (private redis-server)', () => {
  let server: PrivateRedis;
  let cursors: CursorLedger;
  const opened: RedisObservationBus[] = [];
  const bus = async (options: { readerConnections?: number } = {}) => {
    const instance = await connectedBus({ url: server.url, keyPrefix: 'faults:', commandTimeoutMs: 1_000, blockMs: 200, ...options });
    opened.push(instance);
    return instance;
  };
  const publishAll = async (on: RedisObservationBus, texts: string[], worker = ref()) => {
    const results: PublishResult[] = [];
    for (const text of texts) {
      const result = await on.publish(worker, note(text));
      expect(result).toMatchObject({ ok: true });
      cursors.published(result, text);
      results.push(result);
    }
    return results;
  };
  const plant = (work: (redis: Redis, epoch: string) => Promise<unknown>, id = 'w') =>
    server.admin(async (redis) => work(redis, (await redis.hget(META(id), 'epoch'))!));
  /** The reader keeps to a few commands per second while nothing changes (a spin would run thousands). */
  const expectNoSpin = async () => {
    const before = await server.commandStats();
    await delay(1_000);
    const after = await server.commandStats();
    expect(commandRate(before, after, 1_000, ['xread'])).toBeLessThan(20);
    expect(commandRate(before, after, 1_000)).toBeLessThan(150);
  };

  beforeEach(async () => {
    server = await PrivateRedis.create();
    cursors = new CursorLedger();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
    await server.dispose();
  });

  it('a payload that is not JSON, at a sequence of the stream: one gap frame, the reader moves on, resumes and reads skip it too', async () => {
    const [a, b] = [await bus(), await bus()];
    const live = record(b.subscribe(ref(), { queueLimit: 100 }));
    const first = await publishAll(a, names('e', 1, 5));
    // A writer that took the sequence (atomically, as the bus does) but stored garbage.
    await plant((redis, epoch) => redis.multi().xadd(LOG(), '6-0', epoch, 'this is not JSON {').hincrby(META(), 'seq', 1).exec());
    await publishAll(a, names('e', 7, 10));
    await until(live.frames, (f) => f.some((x) => textOf(x) === 'e10'));
    expect(seqs(live.frames)).toEqual([1, 2, 3, 4, 5, '6-6:undecodable', 7, 8, 9, 10]);
    expectContiguous(live.frames);
    await expectNoSpin();

    const gap = live.frames[5] as Extract<ObservationFrame, { type: 'gap' }>;
    expect(decodeCursor(gap.resumeAfter)).toEqual({ epoch: decodeCursor(first[0]!.ok ? first[0]!.cursor : '')!.epoch, sequence: 6 });
    const fromBefore = await takeFrames(b.subscribe(ref(), { after: first[4]!.ok ? first[4]!.cursor : null }), 5);
    expect(seqs(fromBefore)).toEqual(['6-6:undecodable', 7, 8, 9, 10]);
    const fromGap = await takeFrames(b.subscribe(ref(), { after: gap.resumeAfter }), 4);
    expect(fromGap.map(textOf)).toEqual(names('e', 7, 10));

    const page = await b.read(ref(), { limit: 100 });
    expect(page).toMatchObject({ status: 'ok', gaps: [{ from: 6, to: 6, reason: 'undecodable' }] });
    expect(page.status === 'ok' && page.observations.map((o) => o.sequence)).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 10]);
    const paged = await b.read(ref(), { after: first[4]!.ok ? first[4]!.cursor : null, limit: 1 });
    expect(paged).toMatchObject({ status: 'ok', observations: [{ sequence: 7 }], gaps: [{ from: 6, to: 6 }] });
    cursors.frames([...live.frames, ...fromBefore, ...fromGap]);
    live.close();
  });

  it('an entry under a foreign field name: a gap once the stream is confirmed unchanged, no re-sync loop, later events arrive', async () => {
    const [a, b] = [await bus(), await bus()];
    const live = record(b.subscribe(ref(), { queueLimit: 100 }));
    await publishAll(a, names('e', 1, 3));
    const forged = JSON.stringify({ event: { event: 'text_delta', data: { text: 'forged' } }, publishedAt: 1 });
    await plant((redis) => redis.multi().xadd(LOG(), '4-0', 'someone-else', forged).hincrby(META(), 'seq', 1).exec());
    await until(live.frames, (f) => f.length >= 4);
    await expectNoSpin();
    await publishAll(a, names('e', 5, 8));
    await until(live.frames, (f) => f.some((x) => textOf(x) === 'e8'));
    expect(seqs(live.frames)).toEqual([1, 2, 3, '4-4:foreign', 5, 6, 7, 8]);
    expect(live.frames.some((f) => textOf(f) === 'forged')).toBe(false);
    const page = await b.read(ref(), { limit: 100 });
    expect(page).toMatchObject({ status: 'ok', gaps: [{ from: 4, to: 4, reason: 'foreign' }] });
    cursors.frames(live.frames);
    live.close();
  });

  it('garbage above the head (an auto id, a foreign entry at the next id): publishing goes on, the counter stays true, readers see nothing of it', async () => {
    const [a, b] = [await bus(), await bus()];
    const live = record(b.subscribe(ref(), { queueLimit: 100 }));
    await publishAll(a, names('e', 1, 3));
    await plant((redis) => redis.xadd(LOG(), '*', 'junk', 'x')); // an auto id: far above every sequence
    await delay(600); // the reader meets it alone first (no publish repairs it for it)
    await expectNoSpin();
    await publishAll(a, names('e', 4, 6));
    await plant((redis, epoch) => redis.xadd(LOG(), '7-0', epoch, 'not JSON')); // the next id, but no sequence taken
    await publishAll(a, names('e', 7, 10));
    await until(live.frames, (f) => f.some((x) => textOf(x) === 'e10'));
    expect(seqs(live.frames)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(live.frames.map(textOf)).toEqual(names('e', 1, 10));
    await server.admin(async (redis) => {
      expect(Number(await redis.hget(META(), 'seq'))).toBe(10);
      expect(await redis.xlen(LOG())).toBe(10);
    });
    cursors.frames(live.frames);
    live.close();
  });

  it('entries deleted from the middle and an id between two sequences: a missing gap, the odd id skipped', async () => {
    const a = await bus();
    await publishAll(a, names('e', 1, 4));
    await plant((redis) => redis.xadd(LOG(), '4-5', 'odd', 'between 4 and 5'));
    await publishAll(a, names('e', 5, 9));
    await plant((redis) => redis.xdel(LOG(), '6-0', '7-0'));
    const replay = await takeFrames((await bus()).subscribe(ref()), 7);
    expect(seqs(replay)).toEqual([1, 2, 3, 4, 5, '6-7:missing', 8]);
    expectContiguous(replay);
    const page = await a.read(ref(), { limit: 100 });
    expect(page).toMatchObject({ status: 'ok', gaps: [{ from: 6, to: 7, reason: 'missing' }] });
    cursors.frames(replay);
  });

  it('a broken stream in the same publish run fails alone: neighbours are stored once and answered, sequences without holes', async () => {
    const a = await bus();
    const workers = Array.from({ length: 10 }, (_, i) => ref(`n${i}`));
    await Promise.all(workers.map((w) => a.publish(w, note('first'))));
    await plant(async (redis) => {
      await redis.del(LOG('n3'));
      await redis.set(LOG('n3'), 'a string where a stream should be');
      await redis.set(META('n7'), 'a string where a hash should be');
      await redis.xadd(LOG('n5'), '*', 'junk', 'x');
    });
    for (let round = 2; round <= 3; round++) {
      const results = await Promise.all(workers.map((w) => a.publish(w, note(`r${round}`)))); // one script run
      results.forEach((result, i) => {
        if (i === 3 || i === 7) expect(result).toMatchObject({ ok: false, reason: 'bus_error', message: expect.stringMatching(/not stored/) });
        else expect(result).toMatchObject({ ok: true, sequence: round });
      });
    }
    await server.admin(async (redis) => {
      for (const i of [0, 1, 2, 4, 5, 6, 8, 9]) {
        expect((await redis.xrange(LOG(`n${i}`), '-', '+')).map(([id]) => id)).toEqual(['1-0', '2-0', '3-0']);
        expect(await redis.hget(META(`n${i}`), 'seq')).toBe('3');
      }
    });
    // A reader of the broken stream and of a healthy one on the same connection: the healthy one flows.
    const b = await bus({ readerConnections: 1 });
    const broken = record(b.subscribe(ref('n3')));
    const healthy = record(b.subscribe(ref('n0')));
    await until(healthy.frames, (f) => f.length >= 3);
    await a.publish(ref('n0'), note('r4'));
    await until(healthy.frames, (f) => f.some((x) => textOf(x) === 'r4'));
    expect(broken.frames).toEqual([]);
    await expectNoSpin();
    broken.close();
    healthy.close();
  });
});
