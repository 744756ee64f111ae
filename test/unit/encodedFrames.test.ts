import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodedFrames, joinedText } from '../../src/host/encodedFrames.js';

interface F {
  readonly n: number;
  readonly shared: boolean;
}

const encoder = () => {
  let calls = 0;
  const encode = (f: F) => {
    calls++;
    return `id: ${f.n}\ndata: "é${f.n}"\n\n`; // not ASCII: bytes, not string length
  };
  return { encode, calls: () => calls };
};

describe('EncodedFrames', () => {
  it('encodes a shared frame once and hands every subscriber of the same batch the same Buffer', () => {
    const { encode, calls } = encoder();
    const frames = new EncodedFrames<F>(encode, (f) => f.shared);
    const log = [1, 2, 3].map((n) => ({ n, shared: true }));
    const a = frames.batch(log);
    const b = frames.batch([...log]); // another subscriber's array, the same frame objects
    expect(b).toBe(a);
    expect(a.toString()).toBe(log.map(encode).join(''));
    expect(calls()).toBe(3 + 3); // three encoded for the cache, three by the assertion above
    expect(frames.batch([log[0]!, log[1]!])).not.toBe(a); // same first frame, another batch
  });

  it('never caches frames made for one subscriber (replayed, control): encoded on every call', () => {
    const { encode, calls } = encoder();
    const frames = new EncodedFrames<F>(encode, (f) => f.shared);
    const mine = { n: 7, shared: false };
    const live = { n: 8, shared: true };
    frames.batch([mine, live]);
    frames.batch([mine, live]);
    expect(calls()).toBe(3); // mine twice, live once
    expect(frames.frame(mine)).not.toBe(frames.frame(mine));
  });

  it('a batch is always the concatenation of its frames, whatever was cached before (property)', () => {
    const pool = Array.from({ length: 12 }, (_, n) => ({ n, shared: n % 3 !== 0 }));
    const frame = fc.nat(pool.length - 1).map((i) => pool[i]!);
    fc.assert(
      fc.property(fc.array(fc.array(frame, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), (batches, capacity) => {
        const { encode } = encoder();
        const frames = new EncodedFrames<F>(encode, (f) => f.shared, capacity, capacity);
        for (const batch of batches) {
          expect(frames.batch(batch).toString()).toBe(batch.map(encode).join(''));
          expect(frames.each.chunks(batch).map((c) => Buffer.from(c).toString())).toEqual(batch.map(encode));
        }
      }),
    );
  });

  it('joinedText joins per-subscriber frames into one chunk per batch', () => {
    const encoding = joinedText((n: number) => `${n};`);
    expect(encoding.chunks([1, 2, 3])).toEqual(['1;2;3;']);
    expect(encoding.chunks([4])).toEqual(['4;']);
  });
});
