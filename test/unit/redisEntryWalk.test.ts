import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePayload, firstOf, lastOf, type Item } from '../../src/adapters/redisBus/redisEntries.js';
import { walkEntries, walkPage } from '../../src/adapters/redisBus/redisEntryWalk.js';
import type { RangeReply, RawEntry } from '../../src/adapters/redisBus/redisScripts.js';

const worker = { runtimeId: 'rt', workerId: 'w' };
const EPOCH = 'E1';
type Kind = 'valid' | 'undecodable' | 'foreign' | 'missing';

/** A stream as Redis could hold it: one kind per sequence 1..head, odd ids between, garbage above. */
const streams = fc
  .record({
    kinds: fc.array(fc.constantFrom<Kind>('valid', 'valid', 'valid', 'undecodable', 'foreign', 'missing'), { minLength: 1, maxLength: 40 }),
    odd: fc.array(fc.nat({ max: 40 }), { maxLength: 5 }),
    above: fc.array(fc.constantFrom('slot', 'auto', 'odd'), { maxLength: 3 }),
  })
  .map(({ kinds, odd, above }) => {
    const head = kinds.length;
    const raws: RawEntry[] = [];
    kinds.forEach((kind, i) => {
      const s = i + 1;
      if (kind === 'valid') raws.push([`${s}-0`, [EPOCH, encodePayload({ event: 'text_delta', data: { text: `e${s}` } }, s, false)]]);
      if (kind === 'undecodable') raws.push([`${s}-0`, [EPOCH, '{not json']]);
      if (kind === 'foreign') raws.push([`${s}-0`, ['other', encodePayload({ event: 'text_delta', data: { text: 'forged' } }, s, false)]]);
      if (odd.includes(s)) raws.push([`${s}-7`, ['odd', 'x']]);
    });
    above.forEach((kind, i) => {
      if (kind === 'slot') raws.push([`${head + 1 + i}-0`, [EPOCH, '{not json']]);
      if (kind === 'auto') raws.push([`${1_700_000_000_000 + i}-0`, ['junk', 'x']]);
      if (kind === 'odd') raws.push([`${head}-${9 + i}`, ['junk', 'x']]);
    });
    raws.sort(([a], [b]) => compareIds(a, b));
    return { kinds, head, raws };
  });

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

/** What each sequence must come out as. */
function expected(kind: Kind, s: number): string {
  return kind === 'valid' ? `e${s}` : `gap:${kind}`;
}

function perSequence(items: readonly Item[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const item of items) {
    for (let s = firstOf(item); s <= lastOf(item); s++) {
      expect(out.has(s), `sequence ${s} twice`).toBe(false);
      out.set(s, item.type === 'gap' ? `gap:${item.reason}` : String(item.observation.event.data?.text));
    }
  }
  return out;
}

describe('walking Redis stream entries into observations and gaps', () => {
  it('a page read with the head covers every sequence exactly once, each as what it is, and nothing above the head', () => {
    fc.assert(
      fc.property(streams, fc.nat({ max: 39 }), ({ kinds, head, raws }, start) => {
        const from = (start % head) + 1;
        const reply: RangeReply = { epoch: EPOCH, head, first: 1, raws: raws.filter(([id]) => compareIds(id, `${from}-0`) >= 0) };
        const page = walkPage(worker, EPOCH, from, head, reply, 10_000);
        expect(page.trimmed).toBe(false);
        expect(page.next).toBe(head + 1);
        const got = perSequence(page.items);
        expect([...got.keys()]).toEqual(Array.from({ length: head - from + 1 }, (_, i) => from + i));
        for (const [s, what] of got) expect(what).toBe(expected(kinds[s - 1]!, s));
        for (let i = 1; i < page.items.length; i++) expect(firstOf(page.items[i]!)).toBe(lastOf(page.items[i - 1]!) + 1);
      }),
    );
  });

  it('a live read never guesses: it stops at what it cannot judge, and judges it the same once the head is confirmed', () => {
    fc.assert(
      fc.property(streams, ({ kinds, head, raws }) => {
        const unbounded = walkEntries(worker, EPOCH, 1, raws, null);
        for (const item of unbounded.items) expect(item.type).toBe('observation'); // only the bus's own entries
        const confirmed = walkEntries(worker, EPOCH, 1, raws, { head, first: 1, live: true });
        const got = perSequence(confirmed.items);
        // Up to the head: exactly what it is, except deleted sequences, which a live read jumps (subscribers pull them).
        for (const [s, what] of got) expect(what).toBe(expected(kinds[s - 1]!, s));
        for (let s = 1; s <= head; s++) if (kinds[s - 1] !== 'missing') expect(got.has(s), `sequence ${s}`).toBe(true);
        if (confirmed.stop) expect(confirmed.stop).toBe('unsure'); // only garbage above the head is left
        expect(confirmed.next).toBeLessThanOrEqual(head + 1); // deleted ones at the end wait for a later entry
      }),
    );
  });

  it('a page that starts below the oldest entry Redis holds says trimmed, never a gap', () => {
    const raws: RawEntry[] = [[`5-0`, [EPOCH, encodePayload({ event: 'text_delta', data: { text: 'e5' } }, 5, false)]]];
    expect(walkPage(worker, EPOCH, 2, 5, { epoch: EPOCH, head: 5, first: 5, raws }, 256)).toEqual({ items: [], next: 2, trimmed: true });
    expect(walkPage(worker, EPOCH, 2, 5, { epoch: EPOCH, head: 5, first: 5, raws: [] }, 256)).toMatchObject({ items: [], trimmed: true });
    expect(walkPage(worker, EPOCH, 2, 5, { epoch: EPOCH, head: 5, first: 1, raws: [] }, 256).items).toEqual([
      expect.objectContaining({ type: 'gap', from: 2, to: 5, reason: 'missing', resumeAfter: 'c1.E1.5' }),
    ]);
  });
});
