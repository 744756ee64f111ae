import { encodeCursor } from '../../domain/cursor.js';
import type { GapFrame, GapReason, ObservationFrame } from '../../domain/observation.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import type { RawEntry, StreamMeta } from './redisScripts.js';

export type Entry = Extract<ObservationFrame, { type: 'observation' }>;
/** What one or more sequences of a stream deliver: an observation, or a gap over the ones skipped. */
export type Item = Entry | GapFrame;

/** What a stream entry's value holds; the Worker is implied by the key, the epoch by the field name. */
interface StoredPayload {
  readonly event: ProtocolEvent;
  readonly publishedAt: number;
  readonly history: boolean;
}

export function encodePayload(event: ProtocolEvent, publishedAt: number, history: boolean): string {
  return JSON.stringify({ event, publishedAt, history } satisfies StoredPayload);
}

export const firstOf = (item: Item): number => (item.type === 'gap' ? item.from : item.observation.sequence);
export const lastOf = (item: Item): number => (item.type === 'gap' ? item.to : item.observation.sequence);

export function gap(epoch: string, from: number, to: number, reason: GapReason): GapFrame {
  return { type: 'gap', from, to, reason, resumeAfter: encodeCursor(epoch, to) };
}

/** The entry id as `[sequence, suffix]`; null when it is not `<digits>-<digits>` within safe integers. */
export function parseId(id: string): [number, number] | null {
  const dash = id.indexOf('-');
  const ms = Number(id.slice(0, dash));
  const sq = Number(id.slice(dash + 1));
  return dash > 0 && Number.isSafeInteger(ms) && Number.isSafeInteger(sq) ? [ms, sq] : null;
}

function isEvent(value: unknown): value is ProtocolEvent {
  const event = value as { event?: unknown; data?: unknown } | null;
  if (!event || typeof event !== 'object' || typeof event.event !== 'string' || event.event.length === 0) return false;
  return event.data === undefined || (typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data));
}

/** An observation frame from a payload of this epoch; null when the payload is not one the bus wrote. */
export function decodePayload(worker: WorkerRef, epoch: string, sequence: number, json: string | undefined): Entry | null {
  if (json === undefined) return null;
  let stored: Partial<StoredPayload> | null;
  try {
    stored = JSON.parse(json) as Partial<StoredPayload> | null;
  } catch {
    return null;
  }
  if (!stored || !isEvent(stored.event) || typeof stored.publishedAt !== 'number' || !Number.isFinite(stored.publishedAt)) return null;
  const observation = {
    worker,
    sequence,
    cursor: encodeCursor(epoch, sequence),
    publishedAt: stored.publishedAt,
    event: stored.event,
    history: stored.history === true,
  };
  return { type: 'observation', observation, replayed: false };
}

export function replayed(entry: Entry): Entry {
  return { type: 'observation', observation: entry.observation, replayed: true };
}

/**
 * The oldest sequence a reader may resume from: what Redis holds, cut to exactly `retention`.
 * `MAXLEN ~` trims whole stream nodes and keeps a few extra; the cut makes retention exact and the
 * same for every process, whatever Redis happened to keep.
 */
export function oldestRetained(meta: StreamMeta, retention: number): number {
  return Math.max(meta.first, meta.head - retention + 1, 1);
}
