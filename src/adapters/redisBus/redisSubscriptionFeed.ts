import type { Item } from './redisEntries.js';

/** One page pulled for a subscriber: items for `from..`, contiguous (entries and gaps). */
export interface SubscriptionPage {
  readonly epoch: string | null;
  readonly items: readonly Item[];
  /** Redis trimmed the next sequence away while it was read. */
  readonly trimmed: boolean;
  /** The stream is not what the subscriber planned against (another epoch, or less than it saw): re-sync. */
  readonly stale: boolean;
}

/** What a subscription reads from once attached: its Worker stream in this process. */
export interface SubscriptionFeed {
  /** Retained items `from..to` (one page) with the stream's epoch, read atomically. */
  range(from: number, to: number): Promise<SubscriptionPage>;
  /** The stream turned out to be in another epoch: re-read it (resets its subscribers). */
  resync(): void;
}

/** The item from sequence `start` on (a gap that began before it is cut; an entry is unchanged). */
export function itemFrom(item: Item, start: number): Item {
  return item.type === 'gap' && item.from < start ? { ...item, from: start } : item;
}
