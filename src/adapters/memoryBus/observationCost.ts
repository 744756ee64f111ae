import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { jsonValueBytes } from '../../domain/jsonValueBytes.js';

/**
 * Heap bytes a retained observation takes besides its event's JSON: the observation and its frame,
 * the cursor string, the timestamp, the event envelope and `data` objects, the log slot and the
 * budget's own bookkeeping. Measured on node 20 (x64) with small flat events: see docs/contract.md.
 */
export const ENTRY_OVERHEAD_BYTES = 320;

/** What one observation costs against the memory budget: its event's JSON bytes (as stored) plus the overhead. */
export function observationCost(event: ProtocolEvent, eventBytes: number | undefined): number {
  return (eventBytes ?? jsonValueBytes(event)) + ENTRY_OVERHEAD_BYTES;
}
