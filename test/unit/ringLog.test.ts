import { describe, expect, it } from 'vitest';
import { RingLog } from '../../src/domain/stream/ringLog.js';

describe('RingLog', () => {
  it('numbers entries from 1 and looks them up by sequence', () => {
    const log = new RingLog<string>(8);
    expect(log.head).toBe(0);
    for (const s of ['a', 'b', 'c']) log.append(s);
    expect([log.oldest, log.head]).toEqual([1, 3]);
    expect(log.at(2)).toBe('b');
    expect(log.at(0)).toBeUndefined();
    expect(log.at(4)).toBeUndefined();
  });

  it('evicts the oldest entry once full and keeps lookups exact', () => {
    const log = new RingLog<number>(5);
    for (let i = 1; i <= 23; i++) log.append(i * 10);
    expect([log.oldest, log.head, log.size]).toEqual([19, 23, 5]);
    for (let s = 19; s <= 23; s++) expect(log.at(s)).toBe(s * 10);
    expect(log.at(18)).toBeUndefined();
  });

  it('grows storage lazily: an empty log does not allocate its capacity', () => {
    const log = new RingLog<number>(1_000_000);
    log.append(1);
    expect((log as unknown as { slots: unknown[] }).slots.length).toBeLessThan(16);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingLog(0)).toThrow(RangeError);
  });
});

describe('RingLog with a capacity below its initial storage', () => {
  it.each([1, 2, 3])('capacity %i keeps exactly the newest entries', (capacity) => {
    const log = new RingLog<string>(capacity);
    for (const s of ['a', 'b', 'c', 'd', 'e', 'f']) log.append(s);
    expect(log.oldest).toBe(7 - capacity);
    for (let seq = log.oldest; seq <= 6; seq++) expect(log.at(seq)).toBe('abcdef'[seq - 1]);
  });
});
