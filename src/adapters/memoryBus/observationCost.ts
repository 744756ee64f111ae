import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { jsonValueBytes } from '../../domain/jsonValueBytes.js';

/**
 * Heap bytes a retained observation takes besides its event's JSON: the observation and its frame,
 * the cursor string, the timestamp, the copied event envelope and `data` objects, the log slot and the
 * budget's own bookkeeping. Measured through the publish hook on node 20 (x64), `text_delta` events of
 * 200-2,000 B over 100-10,000 Workers: heap per retained observation minus its JSON was 349-353 B,
 * plus 16 B for the slots a Worker's log and cost ring hold spare (both grow by doubling).
 */
export const ENTRY_OVERHEAD_BYTES = 368;

/** What one observation costs against the memory budget: its event's JSON bytes (as stored) plus the overhead. */
export function observationCost(event: ProtocolEvent, eventBytes: number | undefined): number {
  return (eventBytes ?? jsonValueBytes(event)) + ENTRY_OVERHEAD_BYTES;
}
