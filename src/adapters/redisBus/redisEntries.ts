import { encodeCursor } from '../../domain/cursor.js';
import type { ObservationFrame } from '../../domain/observation.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import type { RawEntry, StreamMeta } from './redisScripts.js';

export type Entry = Extract<ObservationFrame, { type: 'observation' }>;

/** What a stream entry's value holds; the Worker is implied by the key, the epoch by the field name. */
interface StoredPayload {
  readonly event: ProtocolEvent;
  readonly publishedAt: number;
  readonly history: boolean;
}

export function encodePayload(event: ProtocolEvent, publishedAt: number, history: boolean): string {
  return JSON.stringify({ event, publishedAt, history } satisfies StoredPayload);
}

/** The epoch an entry was written in (its field name). */
export function entryEpoch(raw: RawEntry): string | undefined {
  return raw[1][0];
}

export function entrySequence(raw: RawEntry): number {
  return Number.parseInt(raw[0], 10);
}

/** A live observation frame; null when the entry is not one of ours (it is then treated as missing). */
export function decodeEntry(worker: WorkerRef, epoch: string, raw: RawEntry): Entry | null {
  const sequence = entrySequence(raw);
  const json = raw[1][1];
  if (!Number.isSafeInteger(sequence) || sequence < 1 || json === undefined) return null;
  try {
    const stored = JSON.parse(json) as StoredPayload;
    const observation = {
      worker,
      sequence,
      cursor: encodeCursor(epoch, sequence),
      publishedAt: stored.publishedAt,
      event: stored.event,
      history: stored.history === true,
    };
    return { type: 'observation', observation, replayed: false };
  } catch {
    return null;
  }
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
