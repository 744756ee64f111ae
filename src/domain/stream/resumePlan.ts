import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ControlFrame } from './streamFrames.js';

/** Where a resumed read starts, and the explicit frame that explains a jump, if any. */
export interface ResumePlan {
  readonly from: number;
  readonly leading: readonly ControlFrame[];
  readonly after: string | null;
}

/**
 * Plans a resume after `after` on a log of `epoch` retaining `oldest..head`:
 * - no cursor: from the oldest retained entry;
 * - a cursor of this epoch within retention: exactly after it;
 * - older than retention: `expired` naming the oldest cursor, then from the oldest;
 * - another epoch, a future sequence or not a cursor of ours: `reset`, then from the oldest.
 */
export function planResume(after: string | null | undefined, epoch: string, oldest: number, head: number): ResumePlan {
  if (after == null) return { from: oldest, leading: [], after: null };
  const position = decodeCursor(after);
  if (!position || position.epoch !== epoch || position.sequence > head) {
    return { from: oldest, leading: [{ type: 'reset', requested: after, epoch }], after: null };
  }
  if (position.sequence < oldest - 1) {
    return { from: oldest, leading: [{ type: 'expired', requested: after, oldest: encodeCursor(epoch, oldest) }], after: null };
  }
  return { from: position.sequence + 1, leading: [], after };
}
