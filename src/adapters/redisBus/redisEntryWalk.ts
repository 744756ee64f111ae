import type { GapReason } from '../../domain/observation.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { decodePayload, gap, parseId, type Item } from './redisEntries.js';
import type { RangeReply, RawEntry } from './redisScripts.js';

/** The stream's state read atomically with the entries (a `RANGE` reply or a `META` after an `XREAD`). */
export interface WalkBounds {
  readonly head: number;
  /** The oldest sequence Redis holds: sequences below it were trimmed, not lost. */
  readonly first: number;
  /** A reader that fell behind retention jumps over what was trimmed (its subscribers then lag) instead of stopping. */
  readonly skipTrimmed?: boolean;
}

/**
 * Why a walk stopped before the end of its entries:
 * - `unsure`: an entry that only the stream's head and epoch can explain (walked without bounds);
 * - `trimmed`: Redis trimmed the next sequence away while it was being read;
 * - `beyond`: an entry above the head (not the bus's; the next `META` deletes it).
 */
export type WalkStop = 'unsure' | 'trimmed' | 'beyond';

export interface Walk {
  /** Observations and gaps for sequences `next..`, contiguous, in order. */
  readonly items: Item[];
  /** The next sequence after the walk. */
  readonly next: number;
  /** The id of the last entry accounted for (the next `XREAD` starts after it); null if none. */
  readonly lastId: string | null;
  readonly stop: WalkStop | null;
  /** The entries from the stop on. */
  readonly rest: RawEntry[];
}

/**
 * Turns entries (ascending ids, as `XREAD`/`XRANGE` return them) into what subscribers see for each
 * sequence from `next` on. A sequence is the entry `<n>-0`; an entry of this epoch whose payload does not
 * decode is a `gap` (`undecodable`), one written under another name a `gap` (`foreign`), sequences with
 * no entry (deleted) a `gap` (`missing`). Other ids (`<n>-<m>`, m > 0) are no sequence and skipped.
 * Without `bounds` (a live `XREAD`), whatever could also mean a new epoch or garbage above the head
 * stops the walk (`unsure`), to be walked again once the stream's state is known.
 */
export function walkEntries(worker: WorkerRef, epoch: string, next: number, raws: readonly RawEntry[], bounds: WalkBounds | null): Walk {
  const items: Item[] = [];
  let lastId: string | null = null;
  const skip = (from: number, to: number, reason: GapReason): void => {
    const last = items.at(-1);
    if (last?.type === 'gap' && last.reason === reason && last.to + 1 === from) items[items.length - 1] = gap(epoch, last.from, to, reason);
    else items.push(gap(epoch, from, to, reason));
  };
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    const stopHere = (stop: WalkStop): Walk => ({ items, next, lastId, stop, rest: raws.slice(i) });
    const id = parseId(raw[0]);
    if (!id) return stopHere('unsure');
    const [sequence, suffix] = id;
    // `<n>-<m>` ahead of `next` means no entry `n-0` exists: sequences next..n are missing.
    const through = suffix === 0 ? sequence - 1 : sequence;
    if (through >= next) {
      if (!bounds) return stopHere('unsure');
      if (through > bounds.head) return stopHere('beyond');
      if (next < bounds.first && !bounds.skipTrimmed) return stopHere('trimmed');
      const lost = Math.max(next, bounds.first);
      if (lost <= through) skip(lost, through, 'missing');
      next = through + 1;
    }
    if (suffix !== 0 || sequence < next) {
      lastId = raw[0];
      continue;
    }
    if (bounds && sequence > bounds.head) return stopHere('beyond');
    const [field, json] = raw[1];
    if (field !== epoch) {
      // Another epoch's entry (the stream was renewed since) or one the bus did not write.
      if (!bounds) return stopHere('unsure');
      skip(sequence, sequence, 'foreign');
    } else {
      const entry = raw[1].length === 2 ? decodePayload(worker, epoch, sequence, json) : null;
      if (entry) items.push(entry);
      else skip(sequence, sequence, 'undecodable');
    }
    next = sequence + 1;
    lastId = raw[0];
  }
  return { items, next, lastId, stop: null, rest: [] };
}

export interface PageWalk {
  readonly items: Item[];
  /** The next sequence after the items. */
  readonly next: number;
  /** Redis trimmed the next sequence away while it was read (a reader resumes with `expired`/`lagged`). */
  readonly trimmed: boolean;
}

/**
 * A `RANGE` reply for sequences `from..to` (at most `pageSize` entries) walked with the stream's state
 * it was read with. When the page ended before `to`, the sequences left have no entry (`missing`).
 */
export function walkPage(worker: WorkerRef, epoch: string, from: number, to: number, reply: RangeReply, pageSize: number): PageWalk {
  const walk = walkEntries(worker, epoch, from, reply.raws, reply);
  if (walk.stop || reply.raws.length >= pageSize || walk.next > to) return { items: walk.items, next: walk.next, trimmed: walk.stop === 'trimmed' };
  if (walk.next < reply.first) return { items: walk.items, next: walk.next, trimmed: true };
  return { items: [...walk.items, gap(epoch, walk.next, to, 'missing')], next: to + 1, trimmed: false };
}
