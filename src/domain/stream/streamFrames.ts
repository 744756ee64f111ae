import type { EndReason } from '../observation.js';
import type { RingLog } from './ringLog.js';

/** Control frames any log stream can yield besides its entries. */
export type ControlFrame =
  | { readonly type: 'expired'; readonly requested: string; readonly oldest: string }
  | { readonly type: 'reset'; readonly requested: string; readonly epoch: string }
  | { readonly type: 'lagged'; readonly resumeAfter: string | null }
  | { readonly type: 'end'; readonly reason: EndReason };

/** How a stream turns its entries into what subscribers see. */
export interface EntryCodec<E> {
  /** The cursor that resumes exactly after this entry. */
  cursor(entry: E): string;
  /** The same entry marked as read from retention. */
  replayed(entry: E): E;
}

/** What a subscription reads from: the stream's log and codec. */
export interface StreamSource<E> {
  readonly log: RingLog<E>;
  readonly codec: EntryCodec<E>;
}
