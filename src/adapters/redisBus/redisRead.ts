import { decodeCursor } from '../../domain/cursor.js';
import type { Observation } from '../../domain/observation.js';
import { planResume } from '../../domain/stream/resumePlan.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import type { ReadGap, ReadResult } from '../../ports/observationReaderPort.js';
import { lastOf, oldestRetained } from './redisEntries.js';
import { walkPage } from './redisEntryWalk.js';
import type { BusScripts, StreamMeta } from './redisScripts.js';
import type { StreamState } from './redisStreamState.js';

const PAGE = 1024;

export interface ReadRequest {
  readonly worker: WorkerRef;
  readonly after: string | null | undefined;
  readonly limit: number;
  readonly retention: number;
  readonly candidate: () => string;
}

/** The stream's state for a reader holding `after` (checked against it: a cursor beyond the head is loss). */
export async function streamMeta(scripts: BusScripts, state: StreamState, candidate: () => string, after?: string | null): Promise<StreamMeta> {
  const [meta] = await scripts.meta([state.probe(candidate, after == null ? null : decodeCursor(after))]);
  if (!meta) throw new Error('observation bus: this Worker\'s stream keys in Redis hold another type');
  state.learn(meta.epoch, meta.head);
  return meta;
}

/**
 * `read()` of the Redis bus: up to `limit` observations after a cursor, paged from Redis atomically
 * with the stream's epoch. Sequences that hold nothing deliverable are listed in `gaps` and `next`
 * moves past them, so a poison entry never cuts a transcript silently nor stops the next read.
 */
export async function readObservations(scripts: BusScripts, state: StreamState, request: ReadRequest): Promise<ReadResult> {
  const { worker, after, limit } = request;
  const meta = await streamMeta(scripts, state, request.candidate, after);
  const plan = planResume(after, meta.epoch, oldestRetained(meta, request.retention), meta.head);
  const jump = plan.leading[0];
  if (jump?.type === 'expired') return { status: 'expired', oldest: jump.oldest };
  if (jump?.type === 'reset') return { status: 'reset', epoch: meta.epoch };
  const observations: Observation[] = [];
  const gaps: ReadGap[] = [];
  let next = plan.from;
  let cursor = after ?? null;
  pages: while (observations.length < limit && next <= meta.head) {
    const count = Math.min(PAGE, limit - observations.length);
    const reply = await scripts.range(state.keys, next, meta.head, count);
    if (reply.epoch !== meta.epoch) return { status: 'reset', epoch: reply.epoch ?? meta.epoch };
    if (reply.head < meta.head) break; // Redis lost data meanwhile: the next read is told (`reset`)
    const page = walkPage(worker, meta.epoch, next, meta.head, reply, count);
    for (const item of page.items) {
      if (observations.length === limit) break pages;
      if (item.type === 'observation') {
        observations.push(item.observation);
        cursor = item.observation.cursor;
      } else {
        gaps.push({ from: item.from, to: item.to, reason: item.reason });
        cursor = item.resumeAfter;
      }
      next = lastOf(item) + 1;
    }
    if (page.trimmed || page.items.length === 0) break; // trimmed meanwhile: the next read gets `expired`
  }
  return gaps.length > 0 ? { status: 'ok', observations, next: cursor, gaps } : { status: 'ok', observations, next: cursor };
}
