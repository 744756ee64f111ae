import type { GapReason } from '../../domain/observation.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { decodePayload, gap, parseId, type Item } from './redisEntries.js';
import type { RangeReply, RawEntry } from './redisScripts.js';

/**
 * What is known of the stream for certain: its head and oldest sequence, read atomically with the
 * entries (a `RANGE` reply), or by a `META` before the entries were read (`live`: an `XREAD` after a
 * re-check). Sequences up to `head` can no longer change, so they are judged for good; above it a
 * live walk judges as if it knew nothing.
 */
export interface WalkBounds {
  readonly head: number;
  /** The oldest sequence Redis holds: sequences below it were trimmed, not lost. */
  readonly first: number;
  /**
   * Entries read after these bounds were (an `XREAD`): above `head` they are judged unbounded, never
   * `beyond`, and sequences without an entry are jumped (the subscribers pull them, and their
   * `RANGE` tells trimmed from missing).
   */
  readonly live?: boolean;
}

/**
 * Why a walk stopped before the end of its entries:
 * - `unsure`: an entry only the stream's current head and epoch can explain (a new epoch, garbage
 *   above the head, a sequence taken but not stored yet): re-check, then read again;
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
}

/**
 * Turns entries (ascending ids, as `XREAD`/`XRANGE` return them) into what subscribers see for each
 * sequence from `next` on. A sequence is the entry `<n>-0`; an entry of this epoch whose payload does
 * not decode is a `gap` (`undecodable`), one written under another name a `gap` (`foreign`), sequences
 * with no entry (deleted) a `gap` (`missing`). Other ids (`<n>-<m>`, m > 0) are no sequence and skipped.
 * Where the bounds do not reach, anything but the bus's own next entry stops the walk (`unsure`).
 * Redis is trusted as storage: an entry exactly like the bus's own is taken as one.
 */
export function walkEntries(worker: WorkerRef, epoch: string, next: number, raws: readonly RawEntry[], bounds: WalkBounds | null): Walk {
  const items: Item[] = [];
  let lastId: string | null = null;
  const skip = (from: number, to: number, reason: GapReason): void => {
    const last = items.at(-1);
    if (last?.type === 'gap' && last.reason === reason && last.to + 1 === from) items[items.length - 1] = gap(epoch, last.from, to, reason);
    else items.push(gap(epoch, from, to, reason));
  };
  // Where the bounds do not reach: `unsure`, or `beyond` for entries that were read with them.
  const unknown = (sequence: number): WalkStop | null => {
    if (bounds && sequence <= bounds.head) return null;
    return !bounds || bounds.live ? 'unsure' : 'beyond';
  };
  const stopped = (stop: WalkStop): Walk => ({ items, next, lastId, stop });
  for (const raw of raws) {
    const id = parseId(raw[0]);
    if (!id) return stopped('unsure');
    const [sequence, suffix] = id;
    // `<n>-<m>` ahead of `next` means no entry `n-0` exists: sequences next..n have none.
    const through = suffix === 0 ? sequence - 1 : sequence;
    if (through >= next) {
      const stop = unknown(through);
      if (stop) return stopped(stop);
      // Live: jump; each subscriber that needs the hole pulls it (`RANGE` tells trimmed from missing).
      if (!bounds!.live) {
        if (next < bounds!.first) return stopped('trimmed');
        skip(next, through, 'missing');
      }
      next = through + 1;
    }
    if (suffix !== 0 || sequence < next) {
      lastId = raw[0];
      continue;
    }
    const [field, json] = raw[1];
    const entry = field === epoch && raw[1].length === 2 ? decodePayload(worker, epoch, sequence, json) : null;
    if (entry) items.push(entry);
    else {
      // Another epoch's entry (the stream was renewed), garbage above the head, or a poison entry.
      const stop = unknown(sequence);
      if (stop) return stopped(stop);
      skip(sequence, sequence, field === epoch ? 'undecodable' : 'foreign');
    }
    next = sequence + 1;
    lastId = raw[0];
  }
  return { items, next, lastId, stop: null };
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
 * Entries above the head are not the bus's (the next `META` deletes them) and are left out.
 */
export function walkPage(worker: WorkerRef, epoch: string, from: number, to: number, reply: RangeReply, pageSize: number): PageWalk {
  const walk = walkEntries(worker, epoch, from, reply.raws, reply);
  // Garbage above the head ends the page like its end does.
  const ended = walk.stop === 'beyond' || (!walk.stop && reply.raws.length < pageSize);
  if (!ended || walk.next > to) return { items: walk.items, next: walk.next, trimmed: walk.stop === 'trimmed' };
  if (walk.next < reply.first) return { items: walk.items, next: walk.next, trimmed: true };
  return { items: [...walk.items, gap(epoch, walk.next, to, 'missing')], next: to + 1, trimmed: false };
}
